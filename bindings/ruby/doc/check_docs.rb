# frozen_string_literal: true

# The Ruby binding's reference documentation (meson test "ruby docs"):
#   check_docs.rb STORE RDOC RI SOURCE...
# - ri shows Pipc::Posix::Semaphore, Pipc::Posix::MessageQueue#send, Pipc::Mutex,
#   Pipc::ConditionVariable#wait, Pipc::Channel and Pipc::Channel#receive_into from the ri
#   store the build made (STORE);
# - rdoc's coverage report over SOURCE finds nothing undocumented;
# - every public method of the loaded classes, those the extension defines included,
#   has documentation in STORE (rdoc cannot see the extension's methods by itself).
require "open3"
require "rdoc"
require "pipc"

store, rdoc, ri, *sources = ARGV
failures = []

ri_text = lambda do |name|
  out, status = Open3.capture2e(ri, "--no-standard-docs", "-d", store, "--no-pager",
                                "-f", "markdown", name)
  status.success? ? out : (failures << "ri #{name} failed:\n#{out}"; "")
end
{
  "Pipc::Posix::Semaphore" => ["A POSIX named semaphore", "acquire", "synchronize"],
  "Pipc::Posix::MessageQueue#send" => ["send(data, timeout: nil, priority: 0)", "BusyError",
                                       "monotonic"],
  "Pipc::Mutex" => ["named robust mutex", "OwnerDeadError", "synchronize", "recover="],
  "Pipc::ConditionVariable#wait" => ["wait(mutex, timeout = nil)", "spurious"],
  "Pipc::Channel" => ["message channel in shared memory", "receive_into", "spin=", "max_message_size"],
  "Pipc::Channel#receive_into" => ["receive_into(buffer, timeout: nil)", "IO::Buffer"],
}.each do |name, expected|
  text = ri_text.call(name)
  text = ri_text.call("Pipc::Posix") + text if name.end_with?("#send")  # the timeout rules
  expected.each { |words| failures << "ri #{name}: no #{words.inspect}" unless text.include?(words) }
end

report, = Open3.capture2e(rdoc, "--coverage-report", "--quiet", *sources)
total = report[/^\s*Total:.*$/]
failures << "rdoc coverage:\n#{report}" unless total&.include?("(0 undocumented)")

driver = RDoc::RI::Driver.new(use_stdout: true, use_system: false, use_site: false,
                              use_home: false, use_gems: false, extra_doc_dirs: [store])
public_classes = lambda do |mod|
  mod.constants.sort.map { |c| mod.const_get(c) }
     .select { |c| c.is_a?(Module) && c.name&.start_with?("Pipc::") && !c.name.start_with?("Pipc::Lowlevel") }
     .flat_map { |c| [c, *public_classes.call(c)] }
end
documented = lambda do |name|
  driver.load_methods_matching(name).any? { |_, methods| methods.any? { |m| !m.comment.empty? } }
end
ours = ->(owner) { owner.inspect.match?(/\A(#<Class:)?Pipc::/) }
# the Stat structs are records whose fields are the classes' readers
public_classes.call(Pipc).uniq.reject { |c| c.is_a?(Class) && c < Struct }.each do |klass|
  klass.public_instance_methods.each do |m|
    next unless ours.call(klass.instance_method(m).owner)

    failures << "no ri documentation for #{klass}##{m}" unless documented.call("#{klass}##{m}")
  end
  klass.singleton_methods.each do |m|
    owner = klass.method(m).owner
    next if !ours.call(owner) || %i[included extended].include?(m)

    # a method of a module the class extends (Handle::ClassMethods#open) is documented there
    name = owner.singleton_class? ? "#{klass}::#{m}" : "#{owner}##{m}"
    failures << "no ri documentation for #{klass}.#{m}" unless documented.call(name)
  end
end

abort failures.join("\n") unless failures.empty?
puts "ri and rdoc coverage: ok"
