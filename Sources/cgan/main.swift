import Foundation
import NN

// OpenBLAS picks its kernels while loading, before this line runs: re-execute once if it chose badly.
BLASRuntime.ensureFastKernel()
// Progress lines must appear as they happen even when stdout is a pipe or a file.
setvbuf(stdout, nil, _IOLBF, 0)
CGANCommand.main()
