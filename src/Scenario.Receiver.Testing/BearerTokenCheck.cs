using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace Scenario.Receiver.Testing;

/// <summary>Scenario's worker-token check: none or a malformed one is 401, another token is 403.</summary>
internal sealed class BearerTokenCheck(string apiKey)
{
    private readonly byte[] _apiKeyBytes = Encoding.UTF8.GetBytes(apiKey);

    /// <summary>The refusal, or <see langword="null"/> when the request carries the accepted token.</summary>
    public StandInAnswer? Refuse(IReadOnlyDictionary<string, string> headers)
    {
        var authorization = headers.GetValueOrDefault(HeaderNames.Authorization);
        const string Expected = "The Authorization header must be 'bearer {token}'";
        if (authorization is null)
        {
            return StandInAnswer.Unauthorized($"{Expected}; it is missing.");
        }

        if (!AuthenticationHeaderValue.TryParse(authorization, out var parsed)
            || !parsed.Scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(parsed.Parameter))
        {
            // The value is not echoed: it may be a token, and tokens never go into messages.
            return StandInAnswer.Unauthorized($"{Expected}; it has another scheme or no token.");
        }

        var token = Encoding.UTF8.GetBytes(parsed.Parameter.Trim());
        return CryptographicOperations.FixedTimeEquals(token, _apiKeyBytes)
            ? null
            : StandInAnswer.Problem(StatusCodes.Status403Forbidden, "The bearer token is not authorized.");
    }
}
