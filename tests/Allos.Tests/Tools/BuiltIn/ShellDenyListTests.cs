using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class ShellDenyListTests
{
    [Theory]
    [InlineData("rm -rf /")]
    [InlineData("rm -rf /*")]
    [InlineData("rm -rf ~")]
    [InlineData("rm -rf ~/")]
    [InlineData("rm -fr $HOME")]
    [InlineData("rm -r -f \"/\"")]
    [InlineData("sudo rm -rf --no-preserve-root /")]
    [InlineData("/bin/rm -Rf /usr")]
    [InlineData("echo hi && rm -rf / ; echo bye")]
    [InlineData("cd /tmp; rm --recursive --force /etc/")]
    [InlineData("mkfs.ext4 /dev/sda1")]
    [InlineData("sudo mkfs -t ext4 /dev/sdb")]
    [InlineData("dd if=/dev/zero of=/dev/sda bs=1M")]
    [InlineData(":(){ :|:& };:")]
    [InlineData("bomb() { bomb | bomb & }; bomb")]
    [InlineData("shutdown -h now")]
    [InlineData("sudo reboot")]
    [InlineData("systemctl poweroff")]
    [InlineData("chmod -R 777 /")]
    [InlineData("chown -R nobody ~")]
    [InlineData("echo x > /dev/sda")]
    [InlineData("$(rm -rf /)")]
    public void Match_CatastrophicCommand_IsDenied(string command) => ShellDenyList.Match(command).ShouldNotBeNull();

    [Theory]
    [InlineData("rm -rf build")]
    [InlineData("rm -rf ./bin /tmp/scratch")]
    [InlineData("rm -rf ~/projects/old")]
    [InlineData("rm file.txt")]
    [InlineData("ls -la /")]
    [InlineData("grep -r reboot docs")]
    [InlineData("echo shutdown")]
    [InlineData("dd if=/dev/zero of=disk.img bs=1M count=1")]
    [InlineData("dd if=/dev/urandom of=/dev/null count=1")]
    [InlineData("chmod -R 755 ./scripts")]
    [InlineData("dotnet test > /dev/null 2>&1")]
    [InlineData("git log --format='%h %s' | head")]
    public void Match_OrdinaryCommand_IsAllowed(string command) => ShellDenyList.Match(command).ShouldBeNull();
}
