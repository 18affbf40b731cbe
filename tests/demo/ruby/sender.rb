# frozen_string_literal: true

# Sends one message to the existing queue: the other side of the notification demo.
#   sender.rb QUEUE TEXT PRIORITY
require "pipc"

unless ARGV.size == 3
  warn "usage: #{File.basename($PROGRAM_NAME)} QUEUE TEXT PRIORITY"
  exit 2
end
name, text, priority = ARGV

Pipc::Posix::MessageQueue.open(name) do |queue|
  queue.send(text, timeout: 0, priority: Integer(priority))
end
