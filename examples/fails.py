# A job that fails: the exception's traceback lands in the result's stderr, and returncode is 1.
def divide(a, b):
    return a / b

print("about to divide by zero")
divide(1, 0)
