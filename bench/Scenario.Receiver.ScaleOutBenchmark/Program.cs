using Scenario.Receiver.ScaleOutBenchmark;

// End-to-end completions per second on InMemory and on PostgreSQL with one and two instances, and the
// takeover time of a killed instance; every instance is a process of its own. docs/scaling-out.md has the
// results and what they mean.
//   dotnet run -c Release --project bench/Scenario.Receiver.ScaleOutBenchmark
//   … -- --rounds 3 --tasks 1000 --concurrency 16 --takeover-rounds 2 [--workers N] [--postgres "Host=…;Username=…;Database=postgres"]
// Without --postgres it starts a throwaway PostgreSQL server from the installed binaries (initdb, pg_ctl).
return args switch
{
    [InstanceHost.Mode, .. var rest] => await InstanceHost.RunAsync(rest),
    _ => await ScaleOutRun.RunAsync(BenchOptions.Parse(args)),
};
