using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>The parent side of an instance: starts this program in <see cref="InstanceHost.Mode"/> and kills it.</summary>
internal sealed class InstanceProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private InstanceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public Uri WorkUrl { get; private set; } = null!;

    /// <summary>CPU time the instance has used so far, user and kernel.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<InstanceProcess> StartAsync(string name, string storage, string? connectionString, Uri scenario, string apiKey, int? workers)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start an instance with.");
        var start = new ProcessStartInfo(processPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(InstanceProcess).Assembly.Location);
        }

        var arguments = new List<string> { InstanceHost.Mode, "--storage", storage, "--scenario", scenario.ToString(), "--api-key", apiKey, "--name", name };
        if (connectionString is not null)
        {
            arguments.AddRange(["--connection", connectionString]);
        }

        if (workers is { } count)
        {
            arguments.AddRange(["--workers", count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        arguments.ForEach(start.ArgumentList.Add);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The instance did not start.");
        var instance = new InstanceProcess(process, name);
        process.OutputDataReceived += (_, line) => instance.Collect(line.Data);
        process.ErrorDataReceived += (_, line) => instance.Collect(line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => instance._ready.TrySetException(new InvalidOperationException($"Instance {name} exited while starting:{Environment.NewLine}{string.Join(Environment.NewLine, instance._output)}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await instance._ready.Task.WaitAsync(StartTimeout);
            instance.WorkUrl = new Uri(new Uri(address.ToString().TrimEnd('/') + "/"), "work");
            return instance;
        }
        catch
        {
            instance.Dispose();
            throw;
        }
    }

    /// <summary>What <c>kill -9</c> does: no shutdown, nothing handed back to the storage.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(InstanceHost.ReadyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(new Uri(line[InstanceHost.ReadyPrefix.Length..].Trim()));
            return;
        }

        _output.Enqueue(line);
        Console.Error.WriteLine($"[{Name}] {line}");
    }
}
