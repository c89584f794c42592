using Scenario.Receiver.Plumbing;
using PoolState = Scenario.Receiver.Plumbing.ThreadPoolHeadroom.PoolState;

namespace Scenario.Receiver.Tests.Plumbing;

/// <summary>The rule that decides whether a request's thread may block in a storage call, on readings of the pool.</summary>
public sealed class ThreadPoolHeadroomTests
{
    [Fact]
    public void CanSpareCallingThread_GrownPoolWithIdleThreads_True()
        => Assert.True(ThreadPoolHeadroom.CanSpareCallingThread(new PoolState(Threads: 30, BusyThreads: 12, BlockingCalls: 10, Processors: 2)));

    [Fact]
    public void CanSpareCallingThread_NoIdleThread_False()
        => Assert.False(ThreadPoolHeadroom.CanSpareCallingThread(new PoolState(Threads: 30, BusyThreads: 30, BlockingCalls: 10, Processors: 2)));

    [Fact]
    public void CanSpareCallingThread_PoolShrunkAfterIdle_False()
        => Assert.False(ThreadPoolHeadroom.CanSpareCallingThread(new PoolState(Threads: 4, BusyThreads: 1, BlockingCalls: 1, Processors: 2)));

    [Theory]
    [InlineData(26, true)]
    [InlineData(27, false)]
    public void CanSpareCallingThread_BlockingCallsNearTheFreeThreadsKept_TrueUntilFewerThanTwoPerProcessorLeft(int blockingCalls, bool expected)
        => Assert.Equal(expected, ThreadPoolHeadroom.CanSpareCallingThread(new PoolState(Threads: 30, BusyThreads: 28, BlockingCalls: blockingCalls, Processors: 2)));

    [Theory]
    [InlineData(2, 5, true)]
    [InlineData(8, 5, false)]
    [InlineData(8, 17, true)]
    public void CanSpareCallingThread_MoreProcessors_MoreFreeThreadsKept(int processors, int threads, bool expected)
        => Assert.Equal(expected, ThreadPoolHeadroom.CanSpareCallingThread(new PoolState(threads, BusyThreads: 1, BlockingCalls: 1, processors)));

    [Fact]
    public void IdleThreads_ThreadsLessBusyOnes()
        => Assert.Equal(18, new PoolState(Threads: 30, BusyThreads: 12, BlockingCalls: 10, Processors: 2).IdleThreads);
}
