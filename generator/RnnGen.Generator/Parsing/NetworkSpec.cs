namespace RnnGen.Generator.Parsing;

/// <summary>Cell kinds, numbered as RnnGen.CellKind in the runtime.</summary>
internal enum Cell { Rnn = 0, Lstm = 1, Gru = 2 }

/// <summary>Sequence tensor layouts, numbered as RnnGen.SequenceLayout in the runtime.</summary>
internal enum SequenceLayout { BatchFirst = 0, TimeMajor = 1 }

/// <summary>
/// A validated network declaration: where the class lives and every shape number. Plain values
/// only (no symbols, syntax or locations) so equal declarations compare equal and stay cached.
/// </summary>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    Cell Cell,
    int InputSize,
    int HiddenSize,
    int Layers,
    bool Bidirectional,
    bool Relu,
    int VocabularySize,
    int OutputSize,
    bool LinearBeforeReset = true,
    bool Peepholes = false,
    SequenceLayout Layout = SequenceLayout.BatchFirst);

/// <summary>
/// What the parsing stage yields per annotated class: a valid spec, or the diagnostics that say
/// why there is none (or both empty when the compiler already reports the problem).
/// </summary>
internal sealed record NetworkDeclaration(NetworkSpec? Spec, EquatableArray<Validation.DiagnosticInfo> Diagnostics);
