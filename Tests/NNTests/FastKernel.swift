import XCTest
import NN

/// Every test class calls this first so the suite runs on OpenBLAS's fast kernel (it may re-execute
/// the test process once with OPENBLAS_CORETYPE set, exactly as the `cgan` program does).
func useFastBLASKernel() { BLASRuntime.ensureFastKernel() }
