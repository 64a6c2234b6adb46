/// Tensors by name, handed out to the modules and optimisers that own them. Loading is strict: a
/// missing tensor, a tensor of another shape and a tensor nobody took are errors that name it.
public struct StateDict {
    /// A tensor that does not fit, reported as one line naming the file and the tensor.
    public struct LoadError: Error, CustomStringConvertible {
        public let file: String, problem: String
        public init(file: String, problem: String) { self.file = file; self.problem = problem }
        public var description: String { "\(file): \(problem)" }
    }

    public let file: String
    public let tensors: [String: Tensor]
    /// Files of swift-cgan's first checkpoint format stored vectors as [1, n]; accept that shape for [n].
    public var acceptsRowVectors = false
    private var used: Set<String> = []

    public init(_ tensors: [String: Tensor], file: String) {
        self.tensors = tensors
        self.file = file
    }

    /// Copies tensor `name` into `target`, whose stored shape is `shape`.
    public mutating func copy(_ name: String, into target: Matrix, shape: [Int]) throws {
        guard let t = tensors[name] else {
            throw LoadError(file: file, problem: "tensor \(name) is missing (a checkpoint of another model?)")
        }
        let legacy = acceptsRowVectors && shape.count == 1 && t.shape == [1] + shape
        guard t.shape == shape || legacy else {
            throw LoadError(file: file, problem: "tensor \(name) has shape \(t.shape), expected \(shape)")
        }
        target.copy(from: t.values)
        used.insert(name)
    }

    /// Loads every tensor of `module` from `prefix.<path>` (from `<path>` when `prefix` is empty).
    public mutating func load(_ module: Module, prefix: String) throws {
        for (name, p) in module.namedParameters { try copy(joined(prefix, name), into: p.value, shape: p.shape) }
    }

    /// Loads every state tensor of `optimizer` from `prefix.<name>`.
    public mutating func load(_ optimizer: Optimizer, prefix: String) throws {
        for (name, t) in optimizer.namedState { try copy(joined(prefix, name), into: t.values, shape: t.shape) }
    }

    /// Throws if some tensor (of those named `prefix.*`, or all) was never taken: it belongs to a model of
    /// another shape.
    public func checkEverythingUsed(prefix: String = "") throws {
        let candidates = tensors.keys.filter { prefix.isEmpty || $0.hasPrefix(prefix + ".") }
        if let extra = candidates.filter({ !used.contains($0) }).sorted().first {
            throw LoadError(file: file, problem: "tensor \(extra) belongs to no part of this model (a checkpoint of another model?)")
        }
    }
}

extension Module {
    /// Every tensor of the tree as `prefix.<path>` (`<path>` when `prefix` is empty), for saving.
    public func stateTensors(prefix: String) -> [(name: String, tensor: Tensor)] {
        namedParameters.map { (joined(prefix, $0.name), $0.parameter.tensor) }
    }
}

extension Optimizer {
    /// Every state tensor as `prefix.<name>`, for saving.
    public func stateTensors(prefix: String) -> [(name: String, tensor: Tensor)] {
        namedState.map { (joined(prefix, $0.name), $0.tensor) }
    }
}

private func joined(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
