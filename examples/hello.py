# The smallest CloudMesh job: whatever it prints is its result.
print("Hello from CloudMesh!")
