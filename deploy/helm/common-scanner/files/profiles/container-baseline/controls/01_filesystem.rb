# File-system controls: every path is read below the target's root, as the scanner sees it.
require 'shellwords'

root = input('target_root').to_s.chomp('/')
in_target = ->(path) { "#{root}#{path}" }
# Lists files of the target's root file system (-xdev: not /proc, /sys, /dev or volumes mounted into it)
# matching FIND_ARGS, as paths inside the target.
list_files = lambda do |find_args|
  found = command("find #{Shellwords.escape(root.empty? ? '/' : root)} -xdev -type f #{find_args} 2>/dev/null")
  found.stdout.lines.map { |line| line.chomp.delete_prefix(root) }.reject(&:empty?).sort
end

control 'cb-1.1' do
  impact 0.7
  title 'Account databases are owned by root and not writable by others'
  desc 'A writable /etc/passwd or /etc/group lets any process of the container create or change accounts.'
  tag nist: ['AC-6', 'CM-6']
  %w(/etc/passwd /etc/group).each do |path|
    target_file = file(in_target.call(path))
    next unless target_file.exist?

    describe target_file do
      its('uid') { should cmp 0 }
      it { should_not be_more_permissive_than('0644') }
    end
  end
  only_if('the image has no /etc/passwd or /etc/group (scratch image)') do
    file(in_target.call('/etc/passwd')).exist? || file(in_target.call('/etc/group')).exist?
  end
end

control 'cb-1.2' do
  impact 0.7
  title 'Password hashes are not readable by others'
  desc '/etc/shadow holds password hashes; readable by others, they can be cracked offline.'
  tag nist: ['IA-5']
  only_if('the image has no /etc/shadow') { file(in_target.call('/etc/shadow')).exist? }
  describe file(in_target.call('/etc/shadow')) do
    its('uid') { should cmp 0 }
    it { should_not be_more_permissive_than('0640') }
  end
end

control 'cb-1.3' do
  impact 0.5
  title 'No world-writable files in the image'
  desc 'A world-writable file can be changed by every user of the container, for instance to plant code.'
  tag nist: ['AC-3', 'CM-6']
  describe list_files.call('-perm -0002') do
    it { should be_empty }
  end
end

control 'cb-1.4' do
  impact 0.5
  title 'No setuid or setgid executables beyond those allowed'
  desc 'setuid/setgid executables are the usual way to escalate from an application user to root.'
  tag nist: ['AC-6(10)', 'CM-7']
  allowed = Array(input('allowed_setuid'))
  describe list_files.call('\\( -perm -4000 -o -perm -2000 \\)') - allowed do
    it { should be_empty }
  end
end

control 'cb-1.5' do
  impact 0.5
  title 'No SSH server in the image'
  desc 'Containers are reached through the orchestrator; an SSH daemon is an extra way in.'
  tag nist: ['CM-7']
  %w(/usr/sbin/sshd /usr/bin/sshd /sbin/sshd).each do |path|
    describe file(in_target.call(path)) do
      it { should_not exist }
    end
  end
end

control 'cb-1.6' do
  impact 0.3
  title 'No package manager in the image'
  desc 'A minimal runtime image carries no package manager that an intruder could use to add tools.'
  tag nist: ['CM-7']
  %w(/usr/bin/apt-get /usr/bin/dpkg /sbin/apk /usr/bin/yum /usr/bin/dnf /usr/bin/microdnf /usr/bin/rpm).each do |path|
    describe file(in_target.call(path)) do
      it { should_not exist }
    end
  end
end

control 'cb-1.7' do
  impact 0.3
  title 'The image identifies its distribution'
  desc 'os-release lets vulnerability scanners and auditors tell which distribution and release the image is.'
  tag nist: ['CM-8']
  describe.one do
    describe file(in_target.call('/etc/os-release')) do
      it { should exist }
    end
    describe file(in_target.call('/usr/lib/os-release')) do
      it { should exist }
    end
  end
end
