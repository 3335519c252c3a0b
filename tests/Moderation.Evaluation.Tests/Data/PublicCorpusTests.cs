using Moderation.Evaluation.Data;

namespace Moderation.Evaluation.Tests.Data;

public sealed class PublicCorpusTests
{
    [Fact]
    public void A_missing_data_directory_is_a_clear_error_naming_the_expected_files()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-shared-data-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<DirectoryNotFoundException>(() => PublicCorpus.Load(missing));
        Assert.Contains(PublicCorpus.DavidsonFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_data_directory_is_beside_the_repository_root()
    {
        var resolved = PublicCorpus.ResolveDataDirectory(null, AppContext.BaseDirectory);
        Assert.Equal(Path.GetFullPath(Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "data")), resolved);
    }

    [Fact]
    public void Both_sources_are_read_with_their_labels_from_a_small_copy()
    {
        var directory = Directory.CreateTempSubdirectory("public-corpus-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "davidson-hate-offensive"));
            Directory.CreateDirectory(Path.Combine(directory, "sms-spam-collection"));
            File.WriteAllText(
                Path.Combine(directory, PublicCorpus.DavidsonFile),
                ",count,hate_speech,offensive_language,neither,class,tweet\n7,3,0,0,3,2,\"fish &amp; chips, \"\"yum\"\"\nok\"\n8,3,3,0,0,0,hateful\n9,3,0,3,0,1,rude\n");
            File.WriteAllText(Path.Combine(directory, PublicCorpus.SmsFile), "Label\tSMS\nspam\tWIN \"a prize\nham\tsee you\n");

            var all = PublicCorpus.LoadAll(directory);

            Assert.Equal(
                [
                    new LabeledExample("fish & chips, \"yum\"\nok", false, "davidson:7", "neither"),
                    new LabeledExample("hateful", true, "davidson:8", "hate"),
                    new LabeledExample("rude", true, "davidson:9", "offensive"),
                    new LabeledExample("WIN \"a prize", true, "sms:2", "spam"),
                    new LabeledExample("see you", false, "sms:3", "ham"),
                ],
                all);
            var split = PublicCorpus.Load(directory);
            Assert.Equal(5, split.Train.Count + split.Validation.Count + split.Test.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SharedDataFact]
    public void The_public_data_loads_completely_and_splits_eighty_ten_ten_without_duplicate_leaks()
    {
        var split = PublicCorpus.Load(TestEnvironment.SharedDataDirectory!);
        var total = split.Train.Count + split.Validation.Count + split.Test.Count;

        // README: 19,827 tweets and 4,460 SMS.
        Assert.Equal(19_827 + 4_460, total);
        Assert.InRange(split.Test.Count / (double)total, 0.08, 0.12);
        Assert.InRange(split.Validation.Count / (double)total, 0.08, 0.12);
        Assert.Contains(split.Test, e => e.Category == "spam");
        Assert.Contains(split.Test, e => e.Category == "hate");

        var trainTexts = split.Train.Select(e => SplitAssignment.Normalize(e.Text)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(split.Test, e => trainTexts.Contains(SplitAssignment.Normalize(e.Text)));
    }
}
