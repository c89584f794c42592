namespace Scenario.Receiver.Tasks;

/// <summary>One page of accepted tasks, newest first (<see cref="ITaskStore.ListAsync"/>), and how many there are in all.</summary>
internal sealed record TaskListPage(long Total, IReadOnlyList<ListedTask> Tasks);

/// <summary>A task on a <see cref="TaskListPage"/>: its id and its record.</summary>
internal sealed record ListedTask(string TaskInstanceId, TaskRecord Record);

/// <summary>Which tasks <see cref="ITaskStore.ListAsync"/> lists.</summary>
internal enum TaskListFilter
{
    /// <summary>Every accepted task the store still keeps.</summary>
    All,

    /// <summary>Tasks whose terminal status waits for Scenario (retrying or refused): the ones that may need a person.</summary>
    Undelivered,
}
