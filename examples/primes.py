# A computation: the primes below 50,000 by the sieve of Eratosthenes, summarised.
import time

LIMIT = 50_000
started = time.perf_counter()
sieve = bytearray([1]) * LIMIT
sieve[0:2] = b"\x00\x00"
for n in range(2, int(LIMIT**0.5) + 1):
    if sieve[n]:
        sieve[n * n :: n] = bytearray(len(range(n * n, LIMIT, n)))
primes = [n for n, is_prime in enumerate(sieve) if is_prime]
print(f"{len(primes)} primes below {LIMIT}; the largest is {primes[-1]}")
print(f"sum of them: {sum(primes)}")
print(f"computed in {time.perf_counter() - started:.3f} s")
