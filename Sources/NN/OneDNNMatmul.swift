import CDNNL
import Synchronization

/// `Float` matrix products through oneDNN's matmul primitive (Debian's libdnnl 2.6), in fp32 or in bf16
/// with fp32 accumulation and an fp32 result.
///
/// A primitive is built once per shape, transposes, alpha, beta and precision (a few milliseconds: oneDNN
/// compiles a kernel for it) and kept; later calls only point its memory objects at the caller's buffers,
/// so a training step allocates nothing. In bf16 the operands are first rounded into buffers the plan owns
/// by oneDNN's reorder (vectorised, round to nearest even); the caller's `Float` buffers stay untouched.
/// Transposed operands are described by strides, never copied.
// @unchecked: the stream and the plans' memory objects are only touched while `plans` is locked.
public final class OneDNNMatmul: @unchecked Sendable {
    static let shared = OneDNNMatmul()

    /// The oneDNN library's version, such as "2.6.3".
    public static var version: String { OneDNN.version }

    struct Key: Hashable {
        let shape: GEMMShape, alpha: Float, beta: Float, precision: Precision
    }

    /// One compiled product and the memory objects its calls rebind.
    final class Plan: @unchecked Sendable {  // used only under the lock
        let matmul: dnnl_primitive_t
        let a: dnnl_memory_t, b: dnnl_memory_t, c: dnnl_memory_t  // the caller's fp32 buffers
        /// bf16 only: reorders from `a`, `b` into the bf16 copies (owned by oneDNN) that the matmul reads.
        let roundA: dnnl_primitive_t?, roundB: dnnl_primitive_t?
        let a16: dnnl_memory_t?, b16: dnnl_memory_t?

        init(key: Key) throws(OneDNNError) {
            let s = key.shape
            // op(a) is m x k: a stored k x m when transposed, so element (i, j) sits at j*m + i.
            let aStrides = s.transposeA ? [1, s.m] : [s.k, 1], bStrides = s.transposeB ? [1, s.k] : [s.n, 1]
            let aDesc = try OneDNN.desc(dims: [s.m, s.k], strides: aStrides, type: dnnl_f32)
            let bDesc = try OneDNN.desc(dims: [s.k, s.n], strides: bStrides, type: dnnl_f32)
            var cDesc = try OneDNN.desc(dims: [s.m, s.n], strides: [s.n, 1], type: dnnl_f32)
            let none = UnsafeMutableRawPointer(bitPattern: 0)
            a = try OneDNN.memory(aDesc, handle: none); b = try OneDNN.memory(bDesc, handle: none)
            c = try OneDNN.memory(cDesc, handle: none)

            var attr: dnnl_primitive_attr_t?
            try check(dnnl_primitive_attr_create(&attr), "attributes")
            defer { dnnl_primitive_attr_destroy(attr) }
            if key.alpha != 1 {
                var alpha = key.alpha
                try check(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha), "output scale")
            }
            if key.beta != 0 {
                var ops: dnnl_post_ops_t?
                try check(dnnl_post_ops_create(&ops), "post-ops")
                defer { dnnl_post_ops_destroy(ops) }
                try check(dnnl_post_ops_append_sum(ops, key.beta), "sum post-op")
                try check(dnnl_primitive_attr_set_post_ops(attr, ops), "post-ops")
            }

            var srcDesc = aDesc, weightsDesc = bDesc
            if key.precision == .bf16 {
                let a16Desc = try OneDNN.desc(dims: [s.m, s.k], strides: aStrides, type: dnnl_bf16)
                let b16Desc = try OneDNN.desc(dims: [s.k, s.n], strides: bStrides, type: dnnl_bf16)
                a16 = try OneDNN.memory(a16Desc, handle: nil)
                b16 = try OneDNN.memory(b16Desc, handle: nil)
                roundA = try OneDNN.reorder(from: aDesc, to: a16Desc)
                roundB = try OneDNN.reorder(from: bDesc, to: b16Desc)
                srcDesc = a16Desc; weightsDesc = b16Desc
            } else {
                a16 = nil; b16 = nil; roundA = nil; roundB = nil
            }
            var op = dnnl_matmul_desc_t()
            try check(dnnl_matmul_desc_init(&op, &srcDesc, &weightsDesc, nil, &cDesc), "matmul description")
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_primitive_desc_create(&pd, &op, attr, OneDNN.engine, nil), "matmul \(s) in \(key.precision)")
            defer { dnnl_primitive_desc_destroy(pd) }
            matmul = try OneDNN.primitive(pd!)
        }
    }

    private let stream = OneDNN.stream()
    /// Plans by key. The lock also serialises execution: plans rebind shared memory objects.
    private let plans = Mutex<[Key: Plan]>([:])

    /// `c = alpha * op(a) op(b) + beta * c`; see `gemm`.
    func multiply(_ key: Key, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>) {
        plans.withLock { plans in
            let plan: Plan
            if let p = plans[key] { plan = p } else {
                // A training step has a few dozen shapes; other callers (a server's batch sizes) are bounded here.
                if plans.count >= 512 { plans.removeAll() }
                do { plan = try Plan(key: key) } catch { fatalError("oneDNN: \(error)") }
                plans[key] = plan
            }
            dnnl_memory_set_data_handle(plan.a, a)
            dnnl_memory_set_data_handle(plan.b, b)
            dnnl_memory_set_data_handle(plan.c, c)
            if let roundA = plan.roundA, let roundB = plan.roundB, let a16 = plan.a16, let b16 = plan.b16 {
                OneDNN.execute(roundA, on: stream, (DNNL_ARG_FROM, plan.a), (DNNL_ARG_TO, a16))
                OneDNN.execute(roundB, on: stream, (DNNL_ARG_FROM, plan.b), (DNNL_ARG_TO, b16))
                OneDNN.execute(plan.matmul, on: stream, (DNNL_ARG_SRC, a16), (DNNL_ARG_WEIGHTS, b16), (DNNL_ARG_DST, plan.c))
            } else {
                OneDNN.execute(plan.matmul, on: stream, (DNNL_ARG_SRC, plan.a), (DNNL_ARG_WEIGHTS, plan.b), (DNNL_ARG_DST, plan.c))
            }
        }
    }
}
