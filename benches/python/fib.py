"""Naive recursive fib, the same program as the calc benchmark.

Prints the best time of one fib(N) call, in seconds, over RUNS calls:
python3 benches/python/fib.py [N] [RUNS]
"""
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fib(n)
        best = min(best, time.perf_counter() - start)
    print(best)


main()
