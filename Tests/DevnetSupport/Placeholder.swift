enum DevnetSupportPlaceholder {}
