using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// A ShortRun-like job with a few more iterations (the machine is shared, so a few more samples buy a
/// steadier median) and the memory diagnoser for bytes allocated per operation. The whole micro run stays
/// within a few minutes.
/// </summary>
public sealed class MicroConfig : ManualConfig
{
    public MicroConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        HideColumns(Column.Error, Column.StdDev);
    }
}
