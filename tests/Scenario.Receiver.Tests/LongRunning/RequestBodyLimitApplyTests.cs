using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Scenario.Receiver.Request;

namespace Scenario.Receiver.Tests.LongRunning;

/// <summary>
/// Where the body limit puts a stream of its own: only where a body could pass the limit. A body whose declared length
/// is within both the limit and the server's is read as the server gives it (the usual RestCall), with nothing between.
/// </summary>
public sealed class RequestBodyLimitApplyTests
{
    private const long Limit = 1000;

    [Fact]
    public void Apply_DeclaredLengthWithinTheLimit_LeavesTheServersBodyInPlace()
    {
        var (context, body) = Request(contentLength: 100, serverLimit: 30_000_000);

        var watched = RequestBodyLimit.Apply(context, Limit);

        Assert.Null(watched);
        Assert.Same(body, context.Request.Body);
    }

    [Fact]
    public void Apply_DeclaredLengthOverTheServersLowerLimit_WatchesTheBodyAtTheServersLimit()
    {
        var (context, body) = Request(contentLength: 600, serverLimit: 500);

        var watched = RequestBodyLimit.Apply(context, Limit);

        Assert.NotNull(watched);
        Assert.Same(watched, context.Request.Body);
        Assert.Equal(500, watched.Limit);
        Assert.NotSame(body, context.Request.Body);
    }

    [Fact]
    public void Apply_NoDeclaredLength_WatchesTheBodyAndLowersTheServersLimit()
    {
        var (context, _) = Request(contentLength: null, serverLimit: 30_000_000);

        var watched = RequestBodyLimit.Apply(context, Limit);

        Assert.NotNull(watched);
        Assert.Equal(Limit, watched.Limit);
        Assert.Equal(Limit, context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize);
    }

    private static (DefaultHttpContext Context, Stream Body) Request(long? contentLength, long serverLimit)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream(new byte[contentLength ?? 10]);
        context.Request.Body = body;
        context.Request.ContentLength = contentLength;
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(new ServerLimit { MaxRequestBodySize = serverLimit });
        return (context, body);
    }

    private sealed class ServerLimit : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; }
    }
}
