enum CloudMeshPlaceholder {}
