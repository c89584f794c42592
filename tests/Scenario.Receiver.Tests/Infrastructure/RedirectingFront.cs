using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// What stands in front of Scenario when its BaseUrl is wrong or its ingress misbehaves, on Kestrel on loopback: an
/// SSO proxy that answers 302 to a login page (which answers 200), or an ingress that answers 307 to another host.
/// ServiceStatus always goes through, so the health check shows what the receiver remembers of its own requests;
/// set <see cref="Redirect"/> to null and everything goes through to Scenario (the stand-in) as it is.
/// </summary>
public sealed class RedirectingFront : IAsyncDisposable
{
    public const string LoginPath = "/sso/login";

    private readonly WebApplication _app;
    private readonly HttpClient _toScenario = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly ConcurrentQueue<string> _requests = new();
    private volatile Func<Uri, (int StatusCode, string Location)?>? _redirect;

    private RedirectingFront(WebApplication app, Uri scenario)
    {
        _app = app;
        _toScenario.BaseAddress = scenario;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request, as "METHOD /path", in arrival order.</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>What the front answers to anything but ServiceStatus: a redirect (code and Location), or null to let it through.</summary>
    public Func<Uri, (int StatusCode, string Location)?>? Redirect
    {
        get => _redirect;
        set => _redirect = value;
    }

    /// <summary>Whether ServiceStatus is redirected too (an SSO proxy in front of everything); false by default.</summary>
    public bool RedirectsServiceStatus { get; set; }

    /// <summary>An SSO proxy: 302 to its own login page.</summary>
    public (int, string)? ToLoginPage(Uri _) => (302, new Uri(BaseUrl, LoginPath).ToString());

    public static async Task<RedirectingFront> StartAsync(Uri scenario)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var front = new RedirectingFront(app, scenario);
        app.Run(front.AnswerAsync);
        await app.StartAsync();
        front.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return front;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue($"{request.Method} {request.Path}");
        if (request.Path == LoginPath)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Sign in</body></html>");
            return;
        }

        if ((RedirectsServiceStatus || !request.Path.Value!.EndsWith("/ServiceStatus", StringComparison.Ordinal))
            && _redirect?.Invoke(new Uri(BaseUrl, request.Path + request.QueryString)) is { } redirect)
        {
            context.Response.StatusCode = redirect.StatusCode;
            context.Response.Headers.Location = redirect.Location;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Moved</body></html>");
            return;
        }

        // Through to Scenario, as a plain reverse proxy would: method, path, query, the headers that matter, the body.
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Value!.TrimStart('/') + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            forward.Content = new ByteArrayContent(body.ToArray());
            if (request.ContentType is { } contentType)
            {
                forward.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var name in new[] { "Authorization", "Accept" })
        {
            if (request.Headers.TryGetValue(name, out var value))
            {
                forward.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        using var answer = await _toScenario.SendAsync(forward, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        var bytes = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted);
        if (bytes.Length > 0)
        {
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _toScenario.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
