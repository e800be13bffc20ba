enum IPFSPlaceholder {}
