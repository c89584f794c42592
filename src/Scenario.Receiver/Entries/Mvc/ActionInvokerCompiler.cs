using System.Linq.Expressions;
using System.Reflection;

namespace Scenario.Receiver.Entries.Mvc;

/// <summary>
/// Compiles, once per action at start-up, a delegate that calls the action method and awaits whatever it
/// returns (void, T, Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;), so a job pays no reflection per call.
/// </summary>
internal static class ActionInvokerCompiler
{
    public static Func<object, object?[], Task<object?>> Compile(MethodInfo method)
    {
        var target = Expression.Parameter(typeof(object), "controller");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(target, method.DeclaringType!),
            method,
            method.GetParameters().Select((parameter, index) =>
                Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(index)), parameter.ParameterType)));

        var returnType = method.ReturnType;
        if (returnType == typeof(void))
        {
            var action = Expression.Lambda<Action<object, object?[]>>(call, target, arguments).Compile();
            return (controller, args) =>
            {
                action(controller, args);
                return Task.FromResult<object?>(null);
            };
        }

        var invoke = Expression.Lambda<Func<object, object?[], object?>>(Expression.Convert(call, typeof(object)), target, arguments).Compile();
        var awaiter = AwaiterFor(returnType);
        return (controller, args) => awaiter(invoke(controller, args));
    }

    private static Func<object?, Task<object?>> AwaiterFor(Type returnType)
    {
        if (returnType == typeof(Task))
        {
            return AwaitTaskAsync;
        }

        if (returnType == typeof(ValueTask))
        {
            return AwaitValueTaskAsync;
        }

        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            var helper = definition == typeof(Task<>) ? nameof(AwaitTaskOfAsync)
                : definition == typeof(ValueTask<>) ? nameof(AwaitValueTaskOfAsync)
                : null;
            if (helper is not null)
            {
                return typeof(ActionInvokerCompiler)
                    .GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(returnType.GetGenericArguments()[0])
                    .CreateDelegate<Func<object?, Task<object?>>>();
            }
        }

        return Task.FromResult;
    }

    private static async Task<object?> AwaitTaskAsync(object? task)
    {
        await ((Task)task!).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitValueTaskAsync(object? task)
    {
        await ((ValueTask)task!).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitTaskOfAsync<T>(object? task) => await ((Task<T>)task!).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTaskOfAsync<T>(object? task) => await ((ValueTask<T>)task!).ConfigureAwait(false);
}
