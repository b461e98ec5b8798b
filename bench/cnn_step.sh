#!/bin/sh
# cnn_step.sh - build and run bench/cnn_step.c: one batch-32 training
# step of the course CNN with the nn kernels vs the OpenBLAS GEMM floor.
set -e
make -s build/obj/bench/cnn_step
./build/obj/bench/cnn_step "$@"
