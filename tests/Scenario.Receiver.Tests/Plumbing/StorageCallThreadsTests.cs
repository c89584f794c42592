using Scenario.Receiver.Plumbing;
using Scenario.Receiver.Tests.Infrastructure;

namespace Scenario.Receiver.Tests.Plumbing;

/// <summary>The receiver's threads for synchronous storage calls: one more as calls find none waiting, up to the maximum.</summary>
public sealed class StorageCallThreadsTests
{
    private static readonly AsyncLocal<string?> CallerValue = new();

    [Fact]
    public async Task RunAsync_MoreBlockedCallsThanMaxThreads_MaxThreadsRunAtOnceAndTheRestAfter()
    {
        using var threads = new StorageCallThreads();
        using var release = new ManualResetEventSlim();
        var started = 0;
        var calls = Enumerable.Range(0, StorageCallThreads.MaxThreads + 8)
            .Select(i => threads.RunAsync(() =>
            {
                Interlocked.Increment(ref started);
                release.Wait(Await.DefaultTimeout);
                return i;
            }))
            .ToArray();

        await Await.UntilAsync(() => Volatile.Read(ref started) == StorageCallThreads.MaxThreads, $"{StorageCallThreads.MaxThreads} blocked calls run at once");
        Assert.Equal(StorageCallThreads.MaxThreads, threads.ThreadCount);
        release.Set();

        Assert.Equal(Enumerable.Range(0, StorageCallThreads.MaxThreads + 8), await Task.WhenAll(calls));
        Assert.Equal(StorageCallThreads.MaxThreads + 8, started);
        Assert.Equal(StorageCallThreads.MaxThreads, threads.ThreadCount);
    }

    [Fact]
    public async Task RunAsync_OneCall_OneThreadOfItsOwnInTheCallersFlow()
    {
        using var threads = new StorageCallThreads();
        CallerValue.Value = "the caller's";

        var seen = await threads.RunAsync(() => (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, CallerValue.Value));

        Assert.Equal(("Scenario.Receiver storage call", false, "the caller's"), seen);
        Assert.Equal(1, threads.ThreadCount);
    }

    [Fact]
    public async Task RunAsync_CallThrows_TheTaskFaultsWithItsException()
    {
        using var threads = new StorageCallThreads();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => threads.RunAsync<int>(() => throw new InvalidOperationException("the storage refused")));

        Assert.Equal("the storage refused", thrown.Message);
    }
}
