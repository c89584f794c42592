using System.Globalization;
using System.Runtime.InteropServices;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>The facts about the machine that the numbers depend on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadField("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes)
            ? string.Create(CultureInfo.InvariantCulture, $"{kilobytes / 1024.0 / 1024.0:0.0} GiB")
            : "unknown";
        return $"nproc {Environment.ProcessorCount}, CPU {cpu}, memory {memory}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>
    /// The machine's CPU time so far from /proc/stat, in clock ticks: busy (everything but idle and iowait) and
    /// total. Zero where there is no /proc.
    /// </summary>
    public static (long Busy, long Total) CpuTicks()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    private static string? ReadField(string file, string name)
        => File.Exists(file)
            ? File.ReadLines(file).Where(line => line.StartsWith(name, StringComparison.Ordinal)).Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;
}
