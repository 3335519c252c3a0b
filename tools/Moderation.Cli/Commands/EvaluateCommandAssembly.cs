using System.Runtime.CompilerServices;

// The evaluate command is tested end to end on fixture files and on the public data.
[assembly: InternalsVisibleTo("Moderation.Evaluation.Tests")]
