# frozen_string_literal: true

require "cgi"
require "minitest"

module Minitest
  # One <testcase> per test, with <failure>, <error> or <skipped> as junit has them.
  class JunitReporter < AbstractReporter
    def initialize(path)
      super()
      @path = path
      @results = []
    end

    def record(result)
      @results << result
    end

    def report
      File.write(@path, xml)
    end

    private

    def xml
      count = ->(kind) { @results.count { |r| outcome(r) == kind } }
      suite = format('<testsuite name="ruby" tests="%d" failures="%d" errors="%d" skipped="%d" time="%.3f">',
                     @results.size, count.call(:failure), count.call(:error), count.call(:skipped),
                     @results.sum(&:time))
      cases = @results.map { |r| testcase(r) }
      ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>", suite, *cases, "</testsuite>",
       "</testsuites>", ""].join("\n")
    end

    def outcome(result)
      return :skipped if result.skipped?
      return :error if result.error?
      return :failure unless result.passed?

      :passed
    end

    def testcase(result)
      head = format('<testcase classname="%s" name="%s" time="%.3f"',
                    esc(result.klass), esc(result.name), result.time)
      kind = outcome(result)
      return "#{head}/>" if kind == :passed

      failure = result.failures.first
      tag = { skipped: "skipped", error: "error", failure: "failure" }.fetch(kind)
      body = esc("#{failure.message}\n#{Array(failure.backtrace).first(15).join("\n")}")
      "#{head}><#{tag} message=\"#{esc(failure.message.lines.first.to_s.chomp)}\">#{body}</#{tag}></testcase>"
    end

    def esc(text) = CGI.escapeHTML(text.to_s)
  end

  def self.plugin_pipc_junit_options(opts, options)
    opts.on("--junit PATH", "Also write the results as junit XML to PATH") { |path| options[:junit] = path }
  end

  def self.plugin_pipc_junit_init(options)
    reporter << JunitReporter.new(options[:junit]) if options[:junit]
  end

  extensions << "pipc_junit"
end
