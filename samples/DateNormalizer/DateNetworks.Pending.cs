using System;

namespace DateNormalizer;

// Until the encoder-decoder generator (branch seq2seq) is merged, the sample builds without its
// networks: everything but training and decoding works and is tested.
public static partial class DateNetworks
{
    private static IDateNetwork CreateKnown(string attention, ulong seed) =>
        throw new InvalidOperationException("This build has no encoder-decoder networks yet (the seq2seq generator is not merged).");
}
