#!/usr/bin/python3
"""PyTorch side of the RnnGen side-by-side benchmark (`RnnGen.Benchmarks networks`).

Times torch.nn.LSTM / torch.nn.GRU (batch_first, one layer) on the shapes of the C# harness,
with 1 and 2 intra-op threads, and prints one line per measurement:

    RESULT <case> <threads> <median ms> <best ms>

Inference runs under torch.no_grad(); a training step is forward, mean-squared-error loss against
a fixed target, backward (the input needs no gradient) and torch.optim.Adam's step, as the C#
harness does. The timing is the same as the harness's: warm up, then N samples of enough calls to
last a few milliseconds each, and the median of the per-call times.

Run: /usr/bin/python3 tests/RnnGen.Benchmarks/pytorch_bench.py [--quick] [--threads 1,2] [--case NAME]

The harness runs it once per thread count with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to that
count, and with LD_LIBRARY_PATH pointing at OpenBLAS when libopenblas0-pthread is installed (Debian's
python3-torch otherwise runs on the reference BLAS): see docs/performance.md.
"""
import argparse
import statistics
import time

import torch

# name, cell, input size, hidden size, steps, batch, training — the same list as NetworkBenchmark.cs.
CASES = [
    ("lstm-i64-h128-t50-b1", "lstm", 64, 128, 50, 1, False),
    ("lstm-i256-h256-t150-b1", "lstm", 256, 256, 150, 1, False),
    ("gru-i256-h256-t100-b1", "gru", 256, 256, 100, 1, False),
    ("lstm-i256-h256-t50-b64", "lstm", 256, 256, 50, 64, False),
    ("train-lstm-i128-h256-t50-b32", "lstm", 128, 256, 50, 32, True),
    ("train-gru-i128-h256-t50-b32", "gru", 128, 256, 50, 32, True),
]


def median_seconds(call, samples, sample_seconds, warmup_seconds):
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < warmup_seconds or calls < 3:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    per_sample = max(1, int(sample_seconds / per_call))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            call()
        times.append((time.perf_counter() - t0) / per_sample)
    return statistics.median(times), min(times)


def make_call(cell, input_size, hidden_size, steps, batch, training):
    torch.manual_seed(0)
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(input_size, hidden_size, batch_first=True)
    x = torch.rand(batch, steps, input_size) * 2 - 1
    if not training:
        module.eval()

        def infer():
            with torch.no_grad():
                module(x)
        return infer

    target = torch.rand(batch, steps, hidden_size) * 2 - 1
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=False)
        y, _ = module(x)
        loss = torch.nn.functional.mse_loss(y, target)
        loss.backward()
        optimizer.step()
    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--case", action="append")
    args = parser.parse_args()
    samples, sample_seconds, warmup = (9, 0.02, 0.3) if args.quick else (31, 0.05, 1.0)
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__}", flush=True)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for name, cell, i, h, t, b, training in CASES:
            if args.case and name not in args.case:
                continue
            call = make_call(cell, i, h, t, b, training)
            median, best = median_seconds(call, samples, sample_seconds, warmup)
            print(f"RESULT {name} {threads} {median * 1e3:.4f} {best * 1e3:.4f}", flush=True)


if __name__ == "__main__":
    main()
