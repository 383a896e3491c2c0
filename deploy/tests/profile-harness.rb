# Runs the container-baseline controls with a small stand-in for the InSpec DSL (control, describe,
# it/its, should/should_not, only_if, input, file, command) against a fake target: catches Ruby errors
# and wrong logic in the controls where no InSpec is installed. It is not InSpec: the real resources
# are documented at docs.chef.io/inspec/resources. Usage: ruby profile-harness.rb PROFILE_DIR
# Prints "N passed, N failed" and exits non-zero when an expectation below does not hold.
require 'fileutils'
require 'tmpdir'
require 'yaml'

module Harness
  Result = Struct.new(:control, :status, :message)

  class FakeFile
    def initialize(path) = @path = path
    def exist? = File.exist?(@path)
    def content = (File.binread(@path) rescue nil)
    def uid = (File.stat(@path).uid rescue nil)
    def more_permissive_than?(max) = File.exist?(@path) && (File.stat(@path).mode & 0o7777 & ~Integer(max, 8)) != 0
    def to_s = "File #{@path}"
  end

  Command = Struct.new(:stdout)

  Matcher = Struct.new(:name, :arg) do
    def matches?(actual)
      case name
      when :exist then actual.exist?
      when :be_empty then actual.empty?
      when :be_nil then actual.nil?
      when :cmp then actual.to_s == arg.to_s
      when :match then !actual.nil? && actual.match?(arg)
      when :be_more_permissive_than then actual.more_permissive_than?(arg)
      else raise "harness: unknown matcher #{name}"
      end
    end
  end

  class Example
    def initialize(subject, failures) = (@subject, @failures = subject, failures)
    def should(m) = (@failures << "expected #{@subject.inspect} to #{m.name} #{m.arg.inspect}" unless m.matches?(@subject))
    def should_not(m) = (@failures << "expected #{@subject.inspect} not to #{m.name} #{m.arg.inspect}" if m.matches?(@subject))
    %i[exist be_empty be_nil].each { |n| define_method(n) { Matcher.new(n, nil) } }
    %i[cmp match be_more_permissive_than].each { |n| define_method(n) { |a| Matcher.new(n, a) } }
  end

  class Group
    def initialize(subject, failures) = (@subject, @failures = subject, failures)
    def it(_ = nil, &blk) = Example.new(@subject, @failures).instance_eval(&blk)
    def its(attr, &blk) = Example.new(@subject.public_send(attr), @failures).instance_eval(&blk)
  end

  class One
    def initialize(failures, control) = (@failures, @control, @any = failures, control, false)
    def method_missing(name, ...) = @control.respond_to?(name) ? @control.public_send(name, ...) : super
    def respond_to_missing?(name, all = false) = @control.respond_to?(name) || super
    def describe(subject, &blk)
      local = []
      Group.new(subject, local).instance_eval(&blk)
      @any ||= local.empty?
    end

    def done = (@failures << 'describe.one: no alternative passed' unless @any)
  end

  class Control
    attr_reader :failures, :skipped

    def initialize(profile) = (@profile, @failures, @skipped = profile, [], nil)
    # Resources (file, command, input) inside a control come from the profile.
    def method_missing(name, ...) = @profile.respond_to?(name) ? @profile.public_send(name, ...) : super
    def respond_to_missing?(name, all = false) = @profile.respond_to?(name) || super
    %i[impact title desc tag].each { |m| define_method(m) { |*_| nil } }
    def only_if(msg = nil) = (@skipped ||= msg unless yield)

    def describe(subject = nil, &blk)
      if subject.nil? && blk.nil?
        one = One.new(@failures, self)
        return Object.new.tap { |o| o.define_singleton_method(:one) { |&b| one.instance_eval(&b); one.done } }
      end
      Group.new(subject, @failures).instance_eval(&blk)
    end
  end

  class Profile
    attr_reader :results

    def initialize(inputs) = (@inputs, @results = inputs, [])
    def input(name) = @inputs.fetch(name)
    def file(path) = FakeFile.new(path)
    def command(cmd) = Command.new(`#{cmd}`)

    def control(id, &blk)
      c = Control.new(self)
      c.instance_eval(&blk)
      status = c.skipped ? :skipped : (c.failures.empty? ? :passed : :failed)
      @results << Result.new(id, status, c.skipped || c.failures.join('; '))
    end

    def describe(*) = raise('harness: describe outside a control')
    def load_controls(dir) = Dir[File.join(dir, 'controls', '*.rb')].sort.each { |f| instance_eval(File.read(f), f) }
  end
end

profile_dir = ARGV.fetch(0)
meta = YAML.safe_load(File.read(File.join(profile_dir, 'inspec.yml')))
defaults = meta.fetch('inputs').to_h { |i| [i.fetch('name'), i['value']] }

Dir.mktmpdir do |tmp|
  # A target file system and a proc entry, as the scanner would see them.
  root = File.join(tmp, 'proc', '7', 'root')
  FileUtils.mkdir_p(%w[etc usr/bin usr/lib].map { |d| File.join(root, d) })
  File.write(File.join(root, 'etc/passwd'), "root:x:0:0::/root:/bin/sh\n")
  File.write(File.join(root, 'etc/group'), "root:x:0:\n")
  File.write(File.join(root, 'usr/lib/os-release'), "ID=fake\n")
  File.write(File.join(root, 'usr/bin/dpkg'), '')
  File.write(File.join(root, 'etc/world-writable'), '')
  File.chmod(0o666, File.join(root, 'etc/world-writable'))
  File.write(File.join(tmp, 'proc', '7', 'status'),
             "Name:\tnginx\nUid:\t10001\t10001\t10001\t10001\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n")
  File.write(File.join(tmp, 'proc', '7', 'environ'), "PATH=/bin\0DB_PASSWORD=hunter2\0EMPTY_TOKEN=\0")

  inputs = defaults.merge('target_root' => root, 'target_pid' => '7', 'proc_root' => File.join(tmp, 'proc'))
  p = Harness::Profile.new(inputs)
  p.load_controls(profile_dir)
  by_id = p.results.to_h { |r| [r.control, r] }
  owned_by_root = File.stat(File.join(root, 'etc/passwd')).uid.zero?

  expected = {
    'cb-1.1' => owned_by_root ? :passed : :failed, # the harness runs as root in CI
    'cb-1.2' => :skipped,                          # no /etc/shadow
    'cb-1.3' => :failed,                           # etc/world-writable
    'cb-1.4' => :passed,
    'cb-1.5' => :passed,
    'cb-1.6' => :failed,                           # usr/bin/dpkg
    'cb-1.7' => :passed,                           # usr/lib/os-release
    'cb-2.1' => :passed,
    'cb-2.2' => :passed,
    'cb-2.3' => :passed,
    'cb-2.4' => :passed,
    'cb-2.5' => :failed                            # DB_PASSWORD (the value is never reported)
  }
  passed = failed = 0
  expected.each do |id, want|
    r = by_id[id]
    if r.nil? || r.status != want
      failed += 1
      puts "FAILED #{id}: expected #{want}, got #{r&.status.inspect} #{r&.message}"
    elsif id == 'cb-2.5' && r.message.include?('hunter2')
      failed += 1
      puts "FAILED #{id}: the secret's value leaked into the message: #{r.message}"
    else
      passed += 1
      puts "ok     #{id} #{want}"
    end
  end
  extra = by_id.keys - expected.keys
  unless extra.empty?
    failed += 1
    puts "FAILED controls without an expectation here: #{extra.join(', ')}"
  end

  # Without a target PID the process controls are skipped, not passed.
  p2 = Harness::Profile.new(inputs.merge('target_pid' => ''))
  p2.load_controls(profile_dir)
  skipped = p2.results.select { |r| r.control.start_with?('cb-2.') }.map(&:status).uniq
  if skipped == [:skipped]
    passed += 1
    puts 'ok     no target_pid: process controls skipped'
  else
    failed += 1
    puts "FAILED no target_pid: #{skipped.inspect}"
  end
  puts "#{passed} passed, #{failed} failed"
  exit(failed.zero? ? 0 : 1)
end
