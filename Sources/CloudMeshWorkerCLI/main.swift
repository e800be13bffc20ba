print("cloudmesh-worker")
