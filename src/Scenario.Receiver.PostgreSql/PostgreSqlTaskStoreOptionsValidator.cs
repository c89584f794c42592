using Microsoft.Extensions.Options;

namespace Scenario.Receiver.Tasks.PostgreSql;

/// <summary>
/// The PostgreSQL store's settings, checked at start-up with a message that names the setting (the core package's
/// validator checks the rest, and knows no PostgreSQL). The message names the keyword that is wrong, never the value: a
/// connection string holds a password.
/// </summary>
internal sealed class PostgreSqlTaskStoreOptionsValidator : IValidateOptions<ScenarioReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, ScenarioReceiverOptions options)
    {
        if (options.TaskStore is not { } taskStore)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!PostgreSqlTaskSql.IsValidSchemaName(taskStore.Schema))
        {
            failures.Add($"Scenario:TaskStore:Schema '{taskStore.Schema}' is not a schema name the receiver writes into SQL; use lower-case letters, digits and underscores, starting with a letter (default {ScenarioTaskStoreOptions.DefaultSchema}).");
        }

        if (!string.IsNullOrWhiteSpace(taskStore.ConnectionString))
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(taskStore.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"Scenario:TaskStore:ConnectionString is not a PostgreSQL connection string ({ex.Message}); write it as Npgsql does, e.g. Host=db;Database=jobs;Username=app;Password=….");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
