using System;
using DateNormalizer;

// Date normalizer: human-written dates to ISO 8601 with an encoder-decoder network. See docs/datenormalizer.md.
return Cli.Run(args, Console.In, Console.Out, Console.Error);
