# /// script
# requires-python = ">=3.11"
# dependencies = ["cm-greeter"]
# ///
# A job with a dependency, declared in PEP 723 inline script metadata (the block above). The worker installs
# cm-greeter, and cm-greeting which it needs, from its package index (PYTHON_INDEX_URL: the demo points it at
# the devnet's), wheels only, then runs the job with them importable and still no network. The result names
# what was installed: "dependencies": ["cm-greeter==1.0", "cm-greeting==2.0"].
import cm_greeter

print(cm_greeter.greet("CloudMesh"))
