using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Request;

/// <summary>
/// The body of a call to a long-running endpoint, read no further than the limit: the byte past it throws
/// <see cref="BadHttpRequestException"/> 413, as the server's own limit does. It remembers that the limit was
/// passed (by it or by the server, whose 413 passes through it), because the code that reads the body (a
/// minimal API's binder, an MVC input formatter) may swallow the exception and leave a bare answer behind.
/// </summary>
internal sealed class LimitedRequestBodyStream(Stream inner, long limit) : Stream
{
    private long _read;

    /// <summary>The most bytes the body may have.</summary>
    public long Limit => limit;

    /// <summary>Whether the body was longer than the limit.</summary>
    public bool LimitExceeded { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(Observe(() => inner.Read(buffer, offset, count)));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => await ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            LimitExceeded = true;
            throw;
        }

        return Count(read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Observe(Func<int> read)
    {
        try
        {
            return read();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            LimitExceeded = true;
            throw;
        }
    }

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            LimitExceeded = true;
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        return read;
    }
}
