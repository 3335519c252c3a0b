using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Functions.Functions;
using Moderation.Hosting.Http;

namespace Moderation.Functions.Tests;

/// <summary>The Functions app serves the review console and its queue API at the self-hosted host's paths.</summary>
public sealed class ReviewConsoleFunctionsTests : IDisposable
{
    private readonly ServiceProvider services;

    public ReviewConsoleFunctionsTests()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ModerationStorage"] = "UseDevelopmentStorage=true",
                ["Moderation:Storage:CreateIfMissing"] = "false",
                ["Moderation:Review:SigningSecret"] = "composition-test-secret-0123456789abcdef",
            })
            .Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddModerationFunctionsApp(configuration);
        services = collection.BuildServiceProvider();
    }

    [Fact]
    public void The_console_functions_answer_on_the_routes_the_console_calls()
    {
        // Functions prefixes routes with api/; the console's script calls the self-hosted host's absolute API paths.
        Assert.Equal(ReviewQueueEndpoint.ListRoute, "/api/" + Route(nameof(ReviewConsoleFunctions.ListCasesAsync)));
        Assert.Equal(ReviewQueueEndpoint.StatusRoute, "/api/" + Route(nameof(ReviewConsoleFunctions.GetQueueStatusAsync)));
        Assert.Equal("review", Route(nameof(ReviewConsoleFunctions.GetConsole)));
        Assert.Equal("review/{asset}", Route(nameof(ReviewConsoleFunctions.GetConsoleAsset)));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ReviewConsoleFunctions>(services));
    }

    [Fact]
    public async Task The_console_page_is_served_with_a_policy_that_allows_only_its_own_script()
    {
        var functions = ActivatorUtilities.CreateInstance<ReviewConsoleFunctions>(services);
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();

        await functions.GetConsole(context.Request).ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });

        Assert.Equal(200, context.Response.StatusCode);
        Assert.StartsWith("text/html", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", context.Response.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        context.Response.Body.Position = 0;
        var html = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("review/console.js", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_console_asset_is_not_found()
    {
        var functions = ActivatorUtilities.CreateInstance<ReviewConsoleFunctions>(services);
        var context = new DefaultHttpContext { RequestServices = services };

        await functions.GetConsoleAsset(context.Request, "../appsettings.json").ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });

        Assert.Equal(404, context.Response.StatusCode);
    }

    public void Dispose() => services.Dispose();

    private static string Route(string method) =>
        typeof(ReviewConsoleFunctions).GetMethod(method)!.GetParameters()
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .Single(a => a is not null)!.Route!;
}
