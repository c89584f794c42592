namespace Scenario.Receiver.Tests.Infrastructure;

public static class TestData
{
    public static object ValidBody => new
    {
        portfolio = "EQ-1",
        quantity = 256,
        asOf = new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero),
        price = 101.25m,
        urgent = false,
        detail = new { desk = "Rates", legs = new[] { 1, 2 } },
    };

    public static string NewTaskId() => Guid.NewGuid().ToString();
}
