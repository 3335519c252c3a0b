using System.Runtime.CompilerServices;

// The LLM commands are tested end to end against a fake chat-completions endpoint.
[assembly: InternalsVisibleTo("Moderation.Llm.Tests")]
