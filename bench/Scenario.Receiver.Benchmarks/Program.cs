using BenchmarkDotNet.Running;
using Scenario.Receiver.Benchmarks.Load;
using Scenario.Receiver.Benchmarks.Scale;
using Scenario.Receiver.Benchmarks.SideBySide;

// dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- micro [BenchmarkDotNet args, e.g. --filter *Middleware*]
// dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- load [--rounds 3 --concurrency 32 … --storage inmemory|postgres]
// dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- side-by-side [--storage inmemory|postgres --rounds 3 --tasks 2000 --idle-seconds 60]
// dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- scale [--storage inmemory|postgres --pending 10000 --idle-seconds 60 --callbacks 200 --dashboard-requests 20 --only dashboard]
// dotnet run -c Release --project bench/Scenario.Receiver.Benchmarks -- deferred-memory [--tasks 2000 --minutes 3 --poll-interval 00:00:05]
// docs/benchmarks.md says what each measures and holds the latest results.
return args switch
{
    ["load", .. var rest] => await LoadBenchmark.RunAsync(LoadOptions.Parse(rest)),
    ["memory-probe", .. var rest] => await MemoryProbe.RunInThisProcessAsync(rest),
    ["memory-parts", .. var rest] => MemoryParts.RunInThisProcess(rest),
    ["deferred-memory", .. var rest] => await DeferredMemory.RunAsync(rest),
    ["side-by-side", .. var rest] => await SideBySideBenchmark.RunAsync(rest),
    ["scale", .. var rest] => await ScaleBenchmark.RunAsync(rest),
    ["micro", .. var rest] => Micro(rest),
    _ => Usage(),
};

static int Micro(string[] args)
{
    // No --filter: run every micro benchmark class.
    var switcher = BenchmarkSwitcher.FromAssembly(typeof(LoadBenchmark).Assembly);
    var summaries = args.Length == 0 ? switcher.RunAll() : switcher.Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}

static int Usage()
{
    Console.Error.WriteLine("Usage: Scenario.Receiver.Benchmarks micro [BenchmarkDotNet options] | load [--rounds N --concurrency N --seconds N --tasks N --memory-tasks N --storage inmemory|postgres] | side-by-side [--storage inmemory|postgres --rounds N --tasks N --idle-seconds N] | scale [--storage inmemory|postgres --pending N --idle-seconds N --callbacks N --dashboard-requests N --only dashboard] | deferred-memory [--tasks N --minutes N --poll-interval hh:mm:ss --sample-seconds N]");
    return 2;
}
