using System.Net.Sockets;
using System.Text;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 POST written on a bare socket, for what <see cref="HttpClient"/> cannot show: a body that is announced
/// but never sent, or a chunked body the server refuses half-way (HttpClient then reports the broken pipe of its
/// send, not the answer the server gave). The answer is read while the body is still being written.
/// </summary>
public static class RawHttpCall
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Announces <paramref name="contentLength"/> bytes and sends none of them: only an answer given unread can come back.</summary>
    public static Task<RawHttpAnswer> PostAnnouncedBodyAsync(Uri server, string path, IReadOnlyDictionary<string, string> headers, long contentLength)
        => SendAsync(server, path, headers, $"Content-Length: {contentLength}", stream => Task.CompletedTask);

    /// <summary>Sends <paramref name="bodyBytes"/> of JSON whitespace in chunks, without Content-Length, stopping when the server answers.</summary>
    public static Task<RawHttpAnswer> PostChunkedAsync(Uri server, string path, IReadOnlyDictionary<string, string> headers, long bodyBytes)
        => SendAsync(server, path, headers, "Transfer-Encoding: chunked", async stream =>
        {
            var chunk = new byte[ChunkSize];
            Array.Fill(chunk, (byte)' ');
            chunk[0] = (byte)'{';
            var header = Encoding.ASCII.GetBytes($"{ChunkSize:x}\r\n");
            var crlf = "\r\n"u8.ToArray();
            for (long sent = 0; sent < bodyBytes; sent += ChunkSize)
            {
                await stream.WriteAsync(header);
                await stream.WriteAsync(chunk);
                await stream.WriteAsync(crlf);
                chunk[0] = (byte)' ';
            }

            await stream.WriteAsync("1\r\n}\r\n0\r\n\r\n"u8.ToArray());
        });

    private static async Task<RawHttpAnswer> SendAsync(Uri server, string path, IReadOnlyDictionary<string, string> headers, string framing, Func<NetworkStream, Task> writeBody)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var head = new StringBuilder($"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n{framing}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        var reading = ReadAnswerAsync(stream);
        try
        {
            var writing = writeBody(stream);
            await Task.WhenAny(reading, writing);
        }
        catch (IOException)
        {
            // The server closed the connection on a body it refused: its answer was read meanwhile.
        }

        return await reading.WaitAsync(Await.DefaultTimeout);
    }

    /// <summary>Reads one answer: the head, then a body framed by Content-Length or chunked.</summary>
    private static async Task<RawHttpAnswer> ReadAnswerAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0 && RawHttpAnswer.TryParse(text[..headEnd], text[(headEnd + 4)..]) is { } answer)
            {
                return answer;
            }

            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection after {received.Count} bytes of an incomplete answer: {text}");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }
    }
}

/// <summary>The answer <see cref="RawHttpCall"/> read: status, headers (lower-case names) and body.</summary>
public sealed record RawHttpAnswer(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");

    public static RawHttpAnswer? TryParse(string head, string rest)
    {
        var lines = head.Split("\r\n");
        var statusCode = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim());
        if (headers.TryGetValue("content-length", out var length))
        {
            var bytes = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            return Encoding.UTF8.GetByteCount(rest) >= bytes ? new RawHttpAnswer(statusCode, headers, rest) : null;
        }

        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            var body = new StringBuilder();
            var position = 0;
            while (true)
            {
                var lineEnd = rest.IndexOf("\r\n", position, StringComparison.Ordinal);
                if (lineEnd < 0)
                {
                    return null;
                }

                var size = Convert.ToInt32(rest[position..lineEnd], 16);
                if (size == 0)
                {
                    return new RawHttpAnswer(statusCode, headers, body.ToString());
                }

                if (rest.Length < lineEnd + 2 + size + 2)
                {
                    return null;
                }

                body.Append(rest, lineEnd + 2, size);
                position = lineEnd + 2 + size + 2;
            }
        }

        return new RawHttpAnswer(statusCode, headers, rest);
    }
}
