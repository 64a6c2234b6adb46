import CDNNL

/// A convolution or transposed convolution at one batch size, through oneDNN's convolution and
/// deconvolution primitives: forward, backward to the input, and backward to the weights and bias.
///
/// The layers keep PyTorch's layouts (images NCHW, one per row; weights [out, in, k, k] for a convolution,
/// [in, out, k, k] for a transposed one). oneDNN's fast kernels want channels in blocks of 16, so each
/// primitive chooses its own layout for tensors of 16 channels or more and for weights, and reorders move
/// data between the two around each call; a tensor of fewer channels stays NCHW (blocking one channel to 16
/// would multiply its work by 16). In bf16 the same reorders round the inputs of the forward pass and of
/// the backward pass to the input (images, weights, incoming gradients) to bf16; weight gradients are
/// computed from fp32 inputs where that measured faster (see `init`), and every result is fp32. Everything is built once, at the first call for a batch size.
///
/// A transposed convolution's forward primitive is built without a bias, which the plan adds itself: oneDNN
/// 2.6 adds a deconvolution's bias in reference code, which took more than a third of the forward pass of the
/// dcgan's 128 -> 64 layer (AMD EPYC Zen 4, one thread: 8.7-9.4 ms with it, 6.3-6.6 without in fp32, 6.3-6.4
/// against 3.9-4.1 in bf16; Scripts/onednn-version-probe.c, docs/speed.md).
final class OneDNNConvolution {
    enum Kind { case convolution, transposed }

    /// One argument of a primitive: the caller's fp32 NCHW memory, and the primitive's own when its
    /// layout or number format differs, with the reorder between them.
    struct Binding {
        let user: dnnl_memory_t, inner: dnnl_memory_t, reorder: dnnl_primitive_t?
        /// The layout and number format of `inner`.
        let format: dnnl_memory_desc_t

        /// `desc` is what the primitive wants; `user` what the caller holds. Inputs reorder user -> inner.
        init(user desc: dnnl_memory_desc_t, primitive wanted: dnnl_memory_desc_t, isInput: Bool) throws(OneDNNError) {
            user = try OneDNN.memory(desc, handle: UnsafeMutableRawPointer(bitPattern: 0))
            format = wanted
            var d = desc, w = wanted
            if dnnl_memory_desc_equal(&d, &w) != 0 {
                inner = user; reorder = nil
            } else {
                inner = try OneDNN.memory(wanted, handle: nil)
                reorder = isInput ? try OneDNN.reorder(from: desc, to: wanted) : try OneDNN.reorder(from: wanted, to: desc)
            }
        }

        /// An input holding the same data as `source`, an input of the forward pass: where `source` already
        /// reorders it into the format this primitive wants, read that copy instead of reordering again.
        /// Sound because a backward pass always follows its own forward on the same plan, and weights do
        /// not change between the two.
        init(reusing source: Binding, user desc: dnnl_memory_desc_t, primitive wanted: dnnl_memory_desc_t) throws(OneDNNError) {
            var s = source.format, w = wanted
            if source.reorder != nil && dnnl_memory_desc_equal(&s, &w) != 0 {
                self.init(user: try OneDNN.memory(desc, handle: UnsafeMutableRawPointer(bitPattern: 0)),
                          inner: source.inner, reorder: nil, format: wanted)
            } else {
                try self.init(user: desc, primitive: wanted, isInput: true)
            }
        }

        private init(user: dnnl_memory_t, inner: dnnl_memory_t, reorder: dnnl_primitive_t?, format: dnnl_memory_desc_t) {
            self.user = user; self.inner = inner; self.reorder = reorder; self.format = format
        }

        func bind(_ pointer: UnsafeMutableRawPointer) { dnnl_memory_set_data_handle(user, pointer) }
        func prepare(_ stream: dnnl_stream_t) {
            if let reorder { OneDNN.execute(reorder, on: stream, (DNNL_ARG_FROM, user), (DNNL_ARG_TO, inner)) }
        }
        func finish(_ stream: dnnl_stream_t) {
            if let reorder { OneDNN.execute(reorder, on: stream, (DNNL_ARG_FROM, inner), (DNNL_ARG_TO, user)) }
        }
    }

    /// Whether this CPU multiplies bf16 on AMX tiles (read once; a hardware fact, not a setting).
    static let cpuHasAMX = BLASRuntime.cpuFlags.contains("amx_bf16")

    let stream = OneDNN.stream()
    let kind: Kind
    /// The output's channels, planes (batch x channels) and plane size, for a transposed forward's bias.
    private let outputChannels: Int, outputPlanes: Int, outputPlane: Int
    private let forwardPrimitive: dnnl_primitive_t, dataPrimitive: dnnl_primitive_t, weightsPrimitive: dnnl_primitive_t
    // Forward: x, w, b -> y.
    private let fx: Binding, fw: Binding, fb: Binding, fy: Binding
    // Backward to the input: dy, w -> dx.
    private let dy: Binding, dw: Binding, dx: Binding
    // Backward to the weights: x, dy -> dW, db.
    private let wx: Binding, wdy: Binding, wdw: Binding, wdb: Binding
    /// The equivalent im2col products (for a `GEMMCounter`): forward, backward to the input, to the weights.
    let shapes: (forward: GEMMShape, data: GEMMShape, weights: GEMMShape)

    init(_ kind: Kind, batch: Int, input: ImageShape, output: ImageShape, window: ConvolutionWindow,
         precision: Precision) throws(OneDNNError) {
        self.kind = kind
        outputChannels = output.channels; outputPlanes = batch * output.channels; outputPlane = output.planeSize
        let low = precision == .bf16 ? dnnl_bf16 : dnnl_f32
        func image(_ s: ImageShape) -> [Int] { [batch, s.channels, s.height, s.width] }
        func chosen(_ s: ImageShape, _ type: dnnl_data_type_t) throws(OneDNNError) -> dnnl_memory_desc_t {
            try OneDNN.desc(dims: image(s), tag: s.channels < 16 ? dnnl_nchw : dnnl_format_tag_any, type: type)
        }
        let k = window.kernel
        // oneDNN describes both kinds' weights as [out, in, k, k]; a transposed convolution's [in, out, k, k] is "iohw".
        let weightDims = [output.channels, input.channels, k, k]
        let weightTag = kind == .convolution ? dnnl_oihw : dnnl_iohw
        let userX = try OneDNN.desc(dims: image(input), tag: dnnl_nchw, type: dnnl_f32)
        let userY = try OneDNN.desc(dims: image(output), tag: dnnl_nchw, type: dnnl_f32)
        let userW = try OneDNN.desc(dims: weightDims, tag: weightTag, type: dnnl_f32)
        let userB = try OneDNN.desc(dims: [output.channels], tag: dnnl_x, type: dnnl_f32)
        var x = try chosen(input, low), y = try chosen(output, dnnl_f32), w = try OneDNN.desc(dims: weightDims, tag: dnnl_format_tag_any, type: low)
        var b = userB
        var dxDesc = try chosen(input, dnnl_f32), dyDesc = try chosen(output, low)
        // Weight gradients come from fp32 inputs, except in bf16 on a CPU without AMX between two blocked tensors:
        // oneDNN 2.6's bf16 weight-gradient kernels measured slower than its fp32 ones on the AMX Xeon (33 against
        // 19 ms for D's second convolution) and to or from one channel, but faster with AVX512_BF16 alone (Zen 4:
        // 4.8 against 6.6-7.3 ms for D's second convolution, 6.1-6.3 against 6.7-6.9 for G's first transposed one).
        let blocked = min(input.channels, output.channels) >= 16
        let gradientInputs = precision == .bf16 && blocked && !OneDNNConvolution.cpuHasAMX ? low : dnnl_f32
        var xw = try chosen(input, gradientInputs), dyw = try chosen(output, gradientInputs)
        var dwDesc = try OneDNN.desc(dims: weightDims, tag: dnnl_format_tag_any, type: dnnl_f32)
        var strides = OneDNN.dims([window.stride, window.stride]), padding = OneDNN.dims([window.padding, window.padding])

        var forwardPD: dnnl_primitive_desc_t?, dataPD: dnnl_primitive_desc_t?, weightsPD: dnnl_primitive_desc_t?
        defer { dnnl_primitive_desc_destroy(forwardPD); dnnl_primitive_desc_destroy(dataPD); dnnl_primitive_desc_destroy(weightsPD) }
        try withUnsafePointer(to: &strides) { sp throws(OneDNNError) in
            try withUnsafePointer(to: &padding) { pp throws(OneDNNError) in
                let s = UnsafeRawPointer(sp).assumingMemoryBound(to: Int64.self), p = UnsafeRawPointer(pp).assumingMemoryBound(to: Int64.self)
                switch kind {
                case .convolution:
                    var f = dnnl_convolution_desc_t(), d = dnnl_convolution_desc_t(), g = dnnl_convolution_desc_t()
                    try check(dnnl_convolution_forward_desc_init(&f, dnnl_forward_training, dnnl_convolution_direct, &x, &w, &b, &y, s, p, p), "convolution")
                    try check(dnnl_primitive_desc_create(&forwardPD, &f, nil, OneDNN.engine, nil), "convolution forward")
                    try check(dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &dxDesc, &w, &dyDesc, s, p, p), "convolution")
                    try check(dnnl_primitive_desc_create(&dataPD, &d, nil, OneDNN.engine, forwardPD), "convolution backward-data")
                    try check(dnnl_convolution_backward_weights_desc_init(&g, dnnl_convolution_direct, &xw, &dwDesc, &b, &dyw, s, p, p), "convolution")
                    try check(dnnl_primitive_desc_create(&weightsPD, &g, nil, OneDNN.engine, forwardPD), "convolution backward-weights")
                case .transposed:
                    var f = dnnl_deconvolution_desc_t(), d = dnnl_deconvolution_desc_t(), g = dnnl_deconvolution_desc_t()
                    // No bias in the forward pass (see above); the backward passes still compute its gradient.
                    try check(dnnl_deconvolution_forward_desc_init(&f, dnnl_forward_training, dnnl_deconvolution_direct, &x, &w, nil, &y, s, p, p), "deconvolution")
                    try check(dnnl_primitive_desc_create(&forwardPD, &f, nil, OneDNN.engine, nil), "deconvolution forward")
                    try check(dnnl_deconvolution_backward_data_desc_init(&d, dnnl_deconvolution_direct, &dxDesc, &w, &dyDesc, s, p, p), "deconvolution")
                    try check(dnnl_primitive_desc_create(&dataPD, &d, nil, OneDNN.engine, forwardPD), "deconvolution backward-data")
                    try check(dnnl_deconvolution_backward_weights_desc_init(&g, dnnl_deconvolution_direct, &xw, &dwDesc, &b, &dyw, s, p, p), "deconvolution")
                    try check(dnnl_primitive_desc_create(&weightsPD, &g, nil, OneDNN.engine, forwardPD), "deconvolution backward-weights")
                }
            }
        }
        // The bias is the weights' second tensor (index 1).
        func wanted(_ pd: dnnl_primitive_desc_t?, _ what: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t {
            dnnl_primitive_desc_query_md(pd, what, index).pointee
        }
        fx = try Binding(user: userX, primitive: wanted(forwardPD, dnnl_query_src_md), isInput: true)
        fw = try Binding(user: userW, primitive: wanted(forwardPD, dnnl_query_weights_md), isInput: true)
        fb = try Binding(user: userB, primitive: kind == .convolution ? wanted(forwardPD, dnnl_query_weights_md, 1) : userB, isInput: true)
        fy = try Binding(user: userY, primitive: wanted(forwardPD, dnnl_query_dst_md), isInput: false)
        dy = try Binding(user: userY, primitive: wanted(dataPD, dnnl_query_diff_dst_md), isInput: true)
        dw = try Binding(reusing: fw, user: userW, primitive: wanted(dataPD, dnnl_query_weights_md))
        dx = try Binding(user: userX, primitive: wanted(dataPD, dnnl_query_diff_src_md), isInput: false)
        wx = try Binding(reusing: fx, user: userX, primitive: wanted(weightsPD, dnnl_query_src_md))
        wdy = try Binding(user: userY, primitive: wanted(weightsPD, dnnl_query_diff_dst_md), isInput: true)
        wdw = try Binding(user: userW, primitive: wanted(weightsPD, dnnl_query_diff_weights_md), isInput: false)
        wdb = try Binding(user: userB, primitive: wanted(weightsPD, dnnl_query_diff_weights_md, 1), isInput: false)
        forwardPrimitive = try OneDNN.primitive(forwardPD!)
        dataPrimitive = try OneDNN.primitive(dataPD!)
        weightsPrimitive = try OneDNN.primitive(weightsPD!)

        // The convolution's im2col products: W [out, in·k·k] times columns [in·k·k, B·P] (a transposed
        // convolution is the same with input and output swapped).
        let (small, large) = kind == .convolution ? (input, output) : (output, input)
        let m = large.channels, n = batch * large.planeSize, kk = small.channels * k * k
        let convolve = GEMMShape(m: m, n: n, k: kk, transposeA: false, transposeB: false)
        let adjoint = GEMMShape(m: kk, n: n, k: m, transposeA: true, transposeB: false)
        shapes = (kind == .convolution ? convolve : adjoint, kind == .convolution ? adjoint : convolve,
                  GEMMShape(m: m, n: kk, k: n, transposeA: false, transposeB: true))
    }

    /// y = conv(x, w) + b.
    func forward(x: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
                 into y: UnsafeMutablePointer<Float>, counter: GEMMCounter?) {
        counter?.record(shapes.forward)
        fx.bind(x); fw.bind(weight); fb.bind(bias); fy.bind(y)
        fx.prepare(stream); fw.prepare(stream)
        switch kind {
        case .convolution:
            fb.prepare(stream)
            OneDNN.execute(forwardPrimitive, on: stream, (DNNL_ARG_SRC, fx.inner), (DNNL_ARG_WEIGHTS, fw.inner),
                           (DNNL_ARG_BIAS, fb.inner), (DNNL_ARG_DST, fy.inner))
            fy.finish(stream)
        case .transposed:
            OneDNN.execute(forwardPrimitive, on: stream, (DNNL_ARG_SRC, fx.inner), (DNNL_ARG_WEIGHTS, fw.inner), (DNNL_ARG_DST, fy.inner))
            fy.finish(stream)
            addBias(bias, to: y)
        }
    }

    /// y[b, c, ·] += bias[c] over the NCHW output, one plane per item.
    private func addBias(_ bias: UnsafeMutablePointer<Float>, to y: UnsafeMutablePointer<Float>) {
        let channels = outputChannels, plane = outputPlane
        ParallelLoop.forEachChunk(outputPlanes, work: outputPlanes * plane, alignment: 1) { r in
            for item in r {
                let v = bias[item % channels], row = y + item * plane
                for i in 0..<plane { row[i] += v }
            }
        }
    }

    /// dx = convᵀ(dy, w).
    func backwardData(gradient: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>, into gradInput: UnsafeMutablePointer<Float>,
                      counter: GEMMCounter?) {
        counter?.record(shapes.data)
        dy.bind(gradient); dw.bind(weight); dx.bind(gradInput)
        dy.prepare(stream); dw.prepare(stream)
        OneDNN.execute(dataPrimitive, on: stream, (DNNL_ARG_DIFF_DST, dy.inner), (DNNL_ARG_WEIGHTS, dw.inner), (DNNL_ARG_DIFF_SRC, dx.inner))
        dx.finish(stream)
    }

    /// dW, db from x and dy (written, not added).
    func backwardWeights(input: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                         weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>, counter: GEMMCounter?) {
        counter?.record(shapes.weights)
        wx.bind(input); wdy.bind(gradient); wdw.bind(weightGradient); wdb.bind(biasGradient)
        wx.prepare(stream); wdy.prepare(stream)
        OneDNN.execute(weightsPrimitive, on: stream, (DNNL_ARG_SRC, wx.inner), (DNNL_ARG_DIFF_DST, wdy.inner),
                       (DNNL_ARG_DIFF_WEIGHTS, wdw.inner), (DNNL_ARG_DIFF_BIAS, wdb.inner))
        wdw.finish(stream); wdb.finish(stream)
    }
}

/// A layer's oneDNN plans, one per batch size and precision (sampling and training use different batches),
/// and what a forward pass leaves for its backward pass. Conv2d and ConvTranspose2d both run through it.
struct OneDNNConvolutionPlans {
    let kind: OneDNNConvolution.Kind, input: ImageShape, output: ImageShape, window: ConvolutionWindow
    private var plans: [Int: OneDNNConvolution] = [:]
    static let limit = 8
    /// The plan of the last forward when it ran through oneDNN (nil after an im2col forward), its input,
    /// and the counter of its products (the backward pass counts into the same).
    private var active: OneDNNConvolution?, activeInput = noGradient, activeCounter: GEMMCounter?

    init(_ kind: OneDNNConvolution.Kind, input: ImageShape, output: ImageShape, window: ConvolutionWindow) {
        self.kind = kind; self.input = input; self.output = output; self.window = window
    }

    var isActive: Bool { active != nil }

    /// Forgets the last forward (the layer's im2col path ran instead).
    mutating func deactivate() { active = nil; activeInput = noGradient; activeCounter = nil }

    /// y = layer(x) [B, out·outH·outW] into `y` in `products`' precision; keeps x for the backward pass.
    mutating func forward(_ x: Matrix, weight: Parameter, bias: Parameter, into y: Matrix, products: MatrixProducts) {
        let plan = self.plan(batch: x.rows, precision: products.precision)
        plan.forward(x: x.pointer, weight: weight.value.pointer, bias: bias.value.pointer, into: y.pointer, counter: products.counter)
        (active, activeInput, activeCounter) = (plan, x, products.counter)
    }

    /// The backward pass of the last forward: weight and bias gradients when asked, and dx into the
    /// matrix `gradInput` returns (called only when the input's gradient is needed).
    func backward(_ dy: Matrix, needs: GradientNeeds, weight: Parameter, bias: Parameter, gradInput: () -> Matrix) -> Matrix {
        guard let plan = active else { preconditionFailure("backward without a oneDNN forward") }
        if needs.contains(.parameters) {
            plan.backwardWeights(input: activeInput.pointer, gradient: dy.pointer,
                                 weightGradient: weight.gradient.pointer, biasGradient: bias.gradient.pointer, counter: activeCounter)
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput()
        plan.backwardData(gradient: dy.pointer, weight: weight.value.pointer, into: dx.pointer, counter: activeCounter)
        return dx
    }

    /// The plan for `batch` images in `precision`, built at its first use.
    private mutating func plan(batch: Int, precision: Precision) -> OneDNNConvolution {
        let key = batch * 2 + (precision == .bf16 ? 1 : 0)
        if let plan = plans[key] { return plan }
        // Training uses two or three batch sizes; a server asked for every count from 1 to 100 would keep
        // building plans (and their buffers): past a few, start again.
        if plans.count >= Self.limit { plans.removeAll() }
        do {
            let plan = try OneDNNConvolution(kind, batch: batch, input: input, output: output, window: window, precision: precision)
            plans[key] = plan
            return plan
        } catch {
            fatalError("oneDNN: \(error)")
        }
    }
}
