using System.Reflection;
using Scenario.Receiver.Tasks;
using Scenario.Receiver.Tasks.InMemory;

namespace Scenario.Receiver.Tests.Tasks.InMemory;

/// <summary>
/// The in-memory table keeps a task that has only been accepted in a compact form, and only where that form gives the
/// very record back: anything more in the record, or an accept's fact the form cannot hold exactly, keeps the record whole.
/// </summary>
public sealed class AcceptedTaskFactsTests
{
    private static readonly TaskRecord Accepted = TaskRecord.Empty with
    {
        WorkflowInstanceId = "wf-7",
        JobId = "5031",
        Queue = "default",
        EntryKey = "Orders.Close",
        StatusUrl = "https://scenario.example/taskstatus/api/task-statuses",
        AcceptedAt = new DateTimeOffset(2026, 12, 3, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4567),
    };

    [Theory]
    [InlineData("5031")]
    [InlineData("0")]
    [InlineData("job-7")]
    [InlineData("0042")]
    [InlineData("9999999999999999999999")]
    [InlineData("3f0c2a54-8f64-4d47-9a53-2a1f4b0c9d11")]
    public void AcceptedRecord_HasACompactForm_ThatGivesTheSameRecordBack(string jobId)
    {
        var record = Accepted with { JobId = jobId };

        var facts = AcceptedTaskFacts.Of(record);

        Assert.NotNull(facts);
        Assert.Equal(record, facts.ToRecord());
        Assert.Equal(jobId, facts.ToRecord().JobId);
    }

    [Fact]
    public void AcceptedRecordWithoutWorkflowOrStatusUrl_HasACompactFormToo()
    {
        var record = Accepted with { WorkflowInstanceId = null, StatusUrl = null };

        Assert.Equal(record, AcceptedTaskFacts.Of(record)?.ToRecord());
    }

    [Fact]
    public void RecordWithAnyFieldBeyondTheAccept_StaysWhole()
    {
        // Every other field of the record, found by reflection: a field added later is covered without touching this test.
        var acceptFields = new[]
        {
            nameof(TaskRecord.WorkflowInstanceId), nameof(TaskRecord.JobId), nameof(TaskRecord.Queue),
            nameof(TaskRecord.EntryKey), nameof(TaskRecord.StatusUrl), nameof(TaskRecord.AcceptedAt),
        };
        var others = typeof(TaskRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && !acceptFields.Contains(p.Name))
            .ToList();
        Assert.True(others.Count >= 13, $"Found {others.Count} other fields.");

        foreach (var property in others)
        {
            var record = Accepted with { };
            property.SetValue(record, SampleValue(property.PropertyType));

            Assert.True(AcceptedTaskFacts.Of(record) is null, $"A record with {property.Name} set has no compact form.");
        }
    }

    [Fact]
    public void AcceptTimeWithAnOffset_OrNoAcceptTime_StaysWhole()
    {
        Assert.Null(AcceptedTaskFacts.Of(Accepted with { AcceptedAt = new DateTimeOffset(2026, 12, 3, 10, 30, 0, TimeSpan.FromHours(1)) }));
        Assert.Null(AcceptedTaskFacts.Of(Accepted with { AcceptedAt = null }));
        Assert.Null(AcceptedTaskFacts.Of(TaskRecord.Empty));
    }

    private static object SampleValue(Type type)
        => (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(string) => "x",
            var t when t == typeof(bool) => true,
            var t when t == typeof(DateTimeOffset) => DateTimeOffset.UnixEpoch,
            var t when t == typeof(TaskDecider) => TaskDecider.Work,
            var t when t == typeof(TaskOutcome) => TaskOutcome.Error(500, "failed"),
            var t when t == typeof(DeliveryNote) => new DeliveryNote(1, "503", DateTimeOffset.UnixEpoch, NeedsPerson: false),
            var t => throw new InvalidOperationException($"No sample value for {t}: add one."),
        };
}
