namespace Scenario.Receiver.Tasks;

/// <summary>One page of accepted tasks, newest first (<see cref="ITaskStore.ListAsync"/>), and how many there are in all.</summary>
internal sealed record TaskListPage(long Total, IReadOnlyList<ListedTask> Tasks);

/// <summary>A task on a <see cref="TaskListPage"/>: its id and its record.</summary>
internal sealed record ListedTask(string TaskInstanceId, TaskRecord Record);

/// <summary>Which tasks <see cref="ITaskStore.ListAsync"/> lists: every accepted one, or those of one <see cref="TaskStanding"/>.</summary>
internal readonly record struct TaskListFilter(TaskStanding? Standing)
{
    /// <summary>Every accepted task the store still keeps.</summary>
    public static TaskListFilter All => new(null);

    /// <summary>The accepted tasks where <see cref="TaskStandings.Of"/> puts them under <paramref name="standing"/>.</summary>
    public static TaskListFilter Only(TaskStanding standing) => new(standing);

    /// <summary>Whether <paramref name="record"/>, an accepted task's, belongs to this list.</summary>
    public bool Includes(TaskRecord record) => Standing is not { } standing || TaskStandings.Of(record) == standing;
}
