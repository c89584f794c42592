using System.Diagnostics;

namespace Scenario.Receiver.Benchmarks.Load;

/// <summary>Runs this benchmark program again as a child process (for measurements that need a process of their own).</summary>
internal static class ChildProcess
{
    public static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start a child with.");
        var start = new ProcessStartInfo(processPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Under `dotnet Scenario.Receiver.Benchmarks.dll` the process is the muxer: it needs the assembly again.
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The child process did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child process '{string.Join(' ', start.ArgumentList)}' failed (exit {process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }
}
