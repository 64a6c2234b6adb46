import NN

// OpenBLAS picks its kernels while loading, before this line runs: re-execute once if it chose badly.
BLASRuntime.ensureFastKernel()
CGANCommand.main()
