namespace Scenario.Receiver.Delivery;

/// <summary>
/// Remembers, for the health check, that Scenario answered a request of this instance with a redirect, which the
/// receiver never follows (an SSO proxy or an http→https ingress in front of Scenario would take the status, or send
/// it to another host). Kept per kind of request until a later one of that kind is answered without a redirect: a
/// status post delivered, a cancellation question answered. A wrong <c>Scenario:BaseUrl</c> is fixed by a restart,
/// which forgets; a proxy fixed in place is noticed by the next post, which every waiting status retries.
/// </summary>
internal sealed class ScenarioRedirects
{
    private readonly Lock _gate = new();
    private ScenarioRedirect? _statusPost;
    private ScenarioRedirect? _cancellationQuestion;

    /// <summary>The latest redirect still remembered, of either kind; null when none is.</summary>
    public ScenarioRedirect? Latest
    {
        get
        {
            lock (_gate)
            {
                return (_statusPost, _cancellationQuestion) switch
                {
                    ({ } post, { } question) => post.At >= question.At ? post : question,
                    (var post, var question) => post ?? question,
                };
            }
        }
    }

    public void Redirected(ScenarioRedirect redirect)
    {
        lock (_gate)
        {
            if (redirect.Request == ScenarioRequestKind.StatusPost)
            {
                _statusPost = redirect;
            }
            else
            {
                _cancellationQuestion = redirect;
            }
        }
    }

    /// <summary>A request of this kind was answered without a redirect: whatever was in the way is gone.</summary>
    public void Answered(ScenarioRequestKind request)
    {
        lock (_gate)
        {
            if (request == ScenarioRequestKind.StatusPost)
            {
                _statusPost = null;
            }
            else
            {
                _cancellationQuestion = null;
            }
        }
    }
}

/// <summary>One redirect Scenario answered: its code, where it pointed (never the body), to which request, and when.</summary>
internal sealed record ScenarioRedirect(ScenarioRequestKind Request, int StatusCode, string? Location, DateTimeOffset At)
{
    /// <summary>The <c>Location</c> as logged: the header as Scenario (or what stands in front of it) sent it.</summary>
    public string LocationText => Location ?? "(no Location header)";
}

/// <summary>The requests the receiver makes to Scenario on a task's behalf.</summary>
internal enum ScenarioRequestKind
{
    /// <summary>A status (progress or terminal) posted to the TaskStatus API.</summary>
    StatusPost,

    /// <summary>The polling service's question whether Scenario cancelled a task.</summary>
    CancellationQuestion,
}
