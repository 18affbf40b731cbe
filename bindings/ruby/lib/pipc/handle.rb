# frozen_string_literal: true

module Pipc
  # What every Pipc object class shares: the block form of its constructor, and no
  # copies (a copy would share the handle and close it twice).
  module Handle
    def self.included(klass) # :nodoc:
      klass.extend(ClassMethods)
    end

    # The class methods of every Pipc object class.
    module ClassMethods
      # open(...) { |obj| ... }: the object is closed when the block ends (never
      # unlinked or removed), and the block's value returned. Without a block: new(...).
      def open(*args, **kwargs, &block)
        closing(new(*args, **kwargs), &block)
      end

      private

      # OBJ itself without a block; with one, the block's value, OBJ closed after it.
      def closing(obj)
        return obj unless block_given?

        begin
          yield obj
        ensure
          obj.close
        end
      end
    end

    # Raises TypeError: a copy would share the handle and close it twice.
    def initialize_copy(_other)
      raise TypeError, "#{self.class} can't be copied"
    end

    # The class, the name or key and a field or two, or "(closed)".
    def inspect
      return "#<#{self.class} (closed)>" if closed?

      detail = begin
        inspect_detail
      rescue Pipc::Error => e     # e.g. a System V object removed by another process
        "(#{e.class.name.split('::').last})"
      end
      "#<#{self.class} #{detail}>"
    end

    private

    # What inspect shows of an open object: its name, unless the class says more.
    def inspect_detail
      name
    end
  end

  # synchronize { ... } of both semaphore kinds: acquire, run the block, release.
  module Synchronize
    # Acquires the semaphore (+acquire_options+ are #acquire's: +timeout+, and +delta+
    # for System V), yields, and releases it even when the block raises. Returns the
    # block's value; raises what #acquire raises, the block not run.
    def synchronize(**acquire_options)
      acquire(**acquire_options)
      begin
        yield
      ensure
        release
      end
    end
  end
end
