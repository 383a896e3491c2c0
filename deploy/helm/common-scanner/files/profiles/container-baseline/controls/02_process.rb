# Process controls: what the kernel reports about the target's main process in the shared PID
# namespace. /proc/PID/status is readable by every user; /proc/PID/environ needs the target's UID.
pid = input('target_pid').to_s
proc_root = input('proc_root').to_s.chomp('/')
status_file = "#{proc_root}/#{pid}/status"
status_field = lambda do |name|
  line = file(status_file).content.to_s.lines.find { |l| l.start_with?("#{name}:") }
  line&.split(':', 2)&.last&.strip
end
no_target = 'no target process given (input target_pid)'

control 'cb-2.1' do
  impact 0.7
  title 'The target process does not run as root'
  desc 'Run the container with a non-root runAsUser so that a compromise does not start with uid 0.'
  tag nist: ['AC-6']
  only_if(no_target) { !pid.empty? }
  describe file(status_file) do
    it { should exist }
  end
  # Uid: real, effective, saved set, file system
  describe status_field.call('Uid').to_s.split[1] do
    it { should_not cmp '0' }
    it { should_not be_nil }
  end
end

control 'cb-2.2' do
  impact 0.7
  title 'The target process has no effective capabilities'
  desc 'Drop all capabilities (securityContext.capabilities.drop: [ALL]) unless the application needs one.'
  tag nist: ['AC-6']
  only_if(no_target) { !pid.empty? }
  describe status_field.call('CapEff') do
    it { should match(/\A0+\z/) }
  end
end

control 'cb-2.3' do
  impact 0.5
  title 'The target process cannot gain privileges'
  desc 'allowPrivilegeEscalation: false sets no_new_privs, so setuid binaries and file capabilities are inert.'
  tag nist: ['AC-6']
  only_if(no_target) { !pid.empty? }
  describe status_field.call('NoNewPrivs') do
    it { should cmp '1' }
  end
end

control 'cb-2.4' do
  impact 0.5
  title 'The target process runs under a seccomp filter'
  desc 'seccompProfile RuntimeDefault (or Localhost) limits the system calls the container may make.'
  tag nist: ['CM-7', 'SC-39']
  only_if(no_target) { !pid.empty? }
  # Seccomp: 0 disabled, 1 strict, 2 filter
  describe status_field.call('Seccomp') do
    it { should cmp '2' }
  end
end

control 'cb-2.5' do
  impact 0.7
  title 'No credentials in the target process environment'
  desc 'Environment variables leak into logs, crash dumps and child processes; mount secrets as files instead.'
  tag nist: ['IA-5(7)', 'SC-28']
  only_if(no_target) { !pid.empty? }
  environ_file = file("#{proc_root}/#{pid}/environ")
  environ = environ_file.content
  # Readable only with the target's UID: unreadable must fail, not pass with no names.
  describe environ_file do
    its('content') { should_not be_nil }
  end
  # Only the names are reported, never the values.
  credential_like = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i
  names = environ.to_s.split("\0").map { |entry| entry.split('=', 2) }
                 .select { |name, value| name =~ credential_like && !value.to_s.empty? }
                 .map(&:first).sort
  describe names do
    it { should be_empty }
  end
end
