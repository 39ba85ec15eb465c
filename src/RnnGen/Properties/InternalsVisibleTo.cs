using System.Runtime.CompilerServices;

// The runtime tests reach a few internals that are not public API: the checkpoint save's
// fault-injection hook, the software CRC-32C path, optimizer state validation.
[assembly: InternalsVisibleTo("RnnGen.Tests")]
