using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Testing;

/// <summary>One request as the stand-in read it, body included, before it is answered.</summary>
internal sealed record IncomingRequest(
    string Method,
    string Path,
    string QueryString,
    IQueryCollection Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ReceivedAt);
