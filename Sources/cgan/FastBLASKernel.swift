import Glibc
import NN

/// Runs this program again when OpenBLAS picked a slow kernel on a CPU that can do better: OpenBLAS reads
/// `OPENBLAS_CORETYPE` only while it loads, before any Swift code runs, so re-executing with the variable
/// set is the only fix from inside the program.
enum FastBLASKernel {
    /// Marks a process as already re-executed (never loops); holds the kernel OpenBLAS first chose.
    static let reexecMarker = "CGAN_BLAS_REEXEC"

    /// The kernel OpenBLAS first chose when `ensure` re-executed this process; nil otherwise.
    static var replacedCoreName: String? { getenv(reexecMarker).map { String(cString: $0) } }

    /// If OpenBLAS fell back to a slow kernel on a capable CPU, re-executes the program once with
    /// `OPENBLAS_CORETYPE` set. Returns normally when nothing needs fixing (or the fix failed).
    /// A user's own `OPENBLAS_CORETYPE` is always respected.
    static func ensure() {
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv(reexecMarker) == nil,
              let better = BLASRuntime.betterCoreType(coreName: BLASRuntime.coreName, cpuFlags: BLASRuntime.cpuFlags) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(reexecMarker, BLASRuntime.coreName, 1)
        var args = CommandLine.arguments.map { strdup($0) }
        args.append(nil)
        execv("/proc/self/exe", &args)
        // execv returned: it failed. Carry on with the slow kernel rather than stop.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(reexecMarker)
    }
}
